package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.api.workload.WorkloadApi;
import io.trustmesh.api.workload.proto.SpiffeWorkloadAPIGrpc;
import io.trustmesh.api.workload.proto.X509SVIDRequest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, item 3 as found: an entry is bound to {@code unix:path:} of an allowed binary. A process
 * that is not that binary connects to the Workload API, hands the connection to a child and execs
 * the allowed binary; the child then asks for an SVID on the connection. The agent used to read
 * {@code /proc/PID/exe} at the call, saw the allowed binary and served the identity. Now it compares
 * the process with the one that connected and refuses with PERMISSION_DENIED.
 */
class UnixPathSelectorFakedByExecTest {
  @TempDir Path dir;

  @Test
  void aConnectionHandedOnBeforeExecIsRefused() throws Exception {
    Path allowed = Path.of("/bin/sleep").toRealPath();
    String perl = perl();
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      String token = cp.joinToken(ControlPlane.AGENT_ID);
      cp.entry("spiffe://example.org/sleeper", ControlPlane.AGENT_ID, Duration.ofMinutes(10),
          "unix:path:" + allowed);
      TrustmeshAgent agent = cp.startAgent(cp.agentConfig("agent", Optional.of(token)));
      await().atMost(Duration.ofSeconds(20)).until(() -> !agent.snapshot().svids().isEmpty());

      Process attacker = new ProcessBuilder("perl", script().toString(), agent.socketPath().toString(),
          allowed.toString(), "300").redirectError(ProcessBuilder.Redirect.INHERIT).start();
      ManagedChannel ch = null;
      try {
        BufferedReader out = new BufferedReader(new InputStreamReader(attacker.getInputStream(), StandardCharsets.UTF_8));
        Matcher m = Pattern.compile("pid (\\d+) port (\\d+)").matcher(String.valueOf(out.readLine()));
        assertThat(m.matches()).isTrue();
        long pid = Long.parseLong(m.group(1));
        ch = NettyChannelBuilder.forAddress("127.0.0.1", Integer.parseInt(m.group(2))).usePlaintext().build();
        Metadata headers = new Metadata();
        headers.put(WorkloadApi.SECURITY_HEADER, "true");
        SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIBlockingStub api = SpiffeWorkloadAPIGrpc.newBlockingStub(ch)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
            .withDeadlineAfter(20, TimeUnit.SECONDS);

        // As itself (perl), the attacker is entitled to nothing.
        assertThatThrownBy(() -> api.fetchX509SVID(X509SVIDRequest.getDefaultInstance()).next())
            .isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));

        // The connecting process becomes the allowed binary; the child still holds the connection.
        attacker.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
        attacker.getOutputStream().flush();
        Path exe = Path.of("/proc", Long.toString(pid), "exe");
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readSymbolicLink(exe).equals(allowed));

        assertThatThrownBy(() -> api.fetchX509SVID(X509SVIDRequest.getDefaultInstance()).next())
            .as("the same connection, now that its process runs %s", allowed)
            .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
              assertThat(e.getStatus().getDescription()).isEqualTo("the calling process changed since it"
                  + " connected (pid " + pid + ": was " + perl + ", now " + allowed + ")");
            });
      } finally {
        if (ch != null) {
          ch.shutdownNow();
        }
        attacker.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        attacker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  static String perl() throws Exception {
    Process p = new ProcessBuilder("perl", "-e", "print readlink('/proc/self/exe')").start();
    String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return s;
  }

  static Path script() throws URISyntaxException {
    return Path.of(UnixPathSelectorFakedByExecTest.class.getResource("/attack/connect-then-exec.pl").toURI());
  }
}

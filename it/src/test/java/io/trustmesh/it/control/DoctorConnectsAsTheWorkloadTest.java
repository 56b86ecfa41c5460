package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trustmesh.agent.TrustmeshAgent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trustmesh doctor connect --workload-api} presents the SVID a real agent serves this uid,
 * the one named by {@code --spiffe-id} when there are several, to a real TLS server (a trustmesh
 * sidecar that takes its own identity from the same agent and admits only {@code web}): as
 * {@code web} the connection is healthy, as {@code billing} doctor says the server's allow policy
 * denied it, and an ID the agent does not serve is an input error naming it.
 */
class DoctorConnectsAsTheWorkloadTest {
  static final int UID = (int) new com.sun.security.auth.module.UnixSystem().getUid();
  static final String WEB = "spiffe://example.org/web";
  static final String BILLING = "spiffe://example.org/billing";
  static final String API = "spiffe://example.org/api";

  @TempDir Path dir;

  @Test
  void doctorPresentsTheSvidItIsToldToPick() throws Exception {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      for (String id : List.of(WEB, BILLING, API)) {
        cp.entry(id, ControlPlane.AGENT_ID, Duration.ofMinutes(10), "unix:uid:" + UID);
      }
      TrustmeshAgent agent = cp.startAgent(cp.agentConfig("agent1", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      await().atMost(Duration.ofSeconds(20)).until(() -> agent.snapshot().svids().size() >= 3);
      String socket = "unix://" + agent.socketPath();
      try (SidecarProcess api = SidecarProcess.start("inbound", "--listen", "127.0.0.1:0", "--target", "127.0.0.1:9",
          "--workload-api", socket, "--spiffe-id", API, "--allow-id", WEB)) {
        String target = "127.0.0.1:" + api.port();

        // Three doctor processes at once: each is a JVM start, and none depends on another.
        CompletableFuture<Result> web = CompletableFuture.supplyAsync(() ->
            doctor(target, "--workload-api", socket, "--spiffe-id", WEB, "--expect-id", API));
        CompletableFuture<Result> billing = CompletableFuture.supplyAsync(() ->
            doctor(target, "--workload-api", socket, "--spiffe-id", BILLING, "--expect-id", API));
        CompletableFuture<Result> db = CompletableFuture.supplyAsync(() ->
            doctor(target, "--workload-api", socket, "--spiffe-id", "spiffe://example.org/db",
                "--workload-api-timeout", "3s"));

        Result asWeb = web.get(120, TimeUnit.SECONDS);
        assertThat(asWeb.code).as(asWeb.out).isZero();
        assertThat(asWeb.out).contains("the server accepted our certificate " + WEB,
            "verifies against the bundle as " + API, "healthy");

        // BILLING is listed by the agent too; only --spiffe-id makes doctor present it.
        Result asBilling = billing.get(120, TimeUnit.SECONDS);
        assertThat(asBilling.code).as(asBilling.out).isEqualTo(1);
        assertThat(asBilling.out).contains("[access_denied]",
            "denied by the server's allow policy: the server refused our certificate " + BILLING);

        Result unknown = db.get(120, TimeUnit.SECONDS);
        assertThat(unknown.code).as(unknown.out).isEqualTo(2);
        assertThat(unknown.out.strip().lines()).as(unknown.out).hasSize(1);
        assertThat(unknown.out).contains("--workload-api", "spiffe://example.org/db").doesNotContain("Exception");
      }
    }
  }

  private record Result(int code, String out) {}

  private static Result doctor(String target, String... args) {
    try {
      return run(target, args);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Result run(String target, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", System.getProperty("trustmesh.jar"), "doctor", "connect", target));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (InputStream in = p.getInputStream()) {
      String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(out).isTrue();
      return new Result(p.exitValue(), out);
    } finally {
      p.destroyForcibly();
    }
  }
}

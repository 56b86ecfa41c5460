package io.trustmesh.doctor.connect;

import static io.trustmesh.doctor.connect.BrokenSetupsTest.assertProblem;
import static io.trustmesh.doctor.connect.BrokenSetupsTest.only;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.sun.security.auth.module.UnixSystem;
import io.trustmesh.core.diagnosis.Cause;
import io.trustmesh.doctor.DoctorReport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real OpenSSH server on the port: doctor recognises its banner and says so, instead of a TLS
 * error. sshd runs on an ephemeral port with a host key made for the test and is stopped in
 * {@code finally}. As root, sshd insists on its privilege-separation directory {@code /run/sshd};
 * run as uid 65534 it needs none, so the test changes nothing outside its temporary directory.
 */
class SshServerOnThePortTest {
  private static final Path SSHD = Path.of("/usr/sbin/sshd");
  private static final boolean ROOT = new UnixSystem().getUid() == 0;

  @TempDir Path dir;

  @Test
  void anSshBannerIsNamedAsSsh() throws Exception {
    requireSshd();
    Path key = dir.resolve("host_ed25519");
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString());
    Path config = dir.resolve("sshd_config");
    Files.writeString(config, "ListenAddress 127.0.0.1\nPidFile none\nUsePAM no\nStrictModes no\n");
    if (ROOT) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      for (Path p : List.of(key, config)) {
        run("chown", "65534:65534", p.toString());
      }
    }
    int port = freePort();
    List<String> cmd = new ArrayList<>();
    if (ROOT) {
      cmd.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"));
    }
    cmd.addAll(List.of(SSHD.toString(), "-D", "-e", "-p", String.valueOf(port), "-f", config.toString(),
        "-h", key.toString()));
    Process sshd = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
    try {
      await().atMost(Duration.ofSeconds(20)).until(() -> listening(port) || !sshd.isAlive());
      assertThat(sshd.isAlive()).as(Files.readString(dir.resolve("sshd.log"))).isTrue();

      DoctorReport r = new ConnectDoctor(Clock.systemUTC()).diagnose(new ConnectRequest("127.0.0.1", port,
          Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
          ConnectRequest.ALL_VERSIONS, Duration.ofSeconds(2), Duration.ofMillis(500)));
      assertProblem(r, Cause.PLAINTEXT_SSH, "the server answered with \"SSH-2.0-OpenSSH_", "this one belongs to sshd");
      assertThat(only(r, Cause.PLAINTEXT_SSH).detail()).as(r.text()).startsWith("after our ClientHello");
    } finally {
      sshd.destroy();
      if (!sshd.waitFor(10, TimeUnit.SECONDS)) {
        sshd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static void requireSshd() {
    if (Files.isExecutable(SSHD)) {
      return;
    }
    if (System.getenv("CI") != null) {
      fail(SSHD + " is missing: .ci/run installs openssh-server, and CI must run this test");
    }
    Assumptions.abort(SSHD + " is not installed (apt-get install openssh-server)");
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + out).isZero();
    } finally {
      p.destroyForcibly();
    }
  }
}

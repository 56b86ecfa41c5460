package io.trustmesh.it.control;

import static org.junit.jupiter.api.Assertions.fail;

import io.trustmesh.core.io.FileOwnership;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The attacker of the threat model: another local uid (65534, nobody) running a command through
 * {@code setpriv}. Needs root to switch uid: without it the test is aborted locally and fails in CI
 * (a test that skips in CI would prove nothing).
 */
final class AnotherUser {
  static final int UID = 65534;

  record Result(int exit, String output) {}

  private AnotherUser() {}

  static void requireRoot() {
    if (FileOwnership.currentUid() == 0) {
      return;
    }
    if (System.getenv("CI") != null) {
      fail("acting as another uid needs root (setpriv), and CI must run this test");
    }
    Assumptions.abort("not root: cannot act as another uid with setpriv");
  }

  static Result run(String... command) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + UID, "--regid=" + UID, "--clear-groups", "--"));
    cmd.addAll(List.of(command));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("timed out: " + cmd);
    }
    return new Result(p.exitValue(), out);
  }
}

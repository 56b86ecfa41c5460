package io.trustmesh.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RELIABILITY.md B11: a listen or admin port that is taken stops the sidecar at start with exit 2
 * and one line naming the port and the listener; it never runs half-started (serving data without
 * its admin endpoint, or some listeners without the others).
 */
class PortConflictIT {
  @TempDir Path tmp;

  private String config(String secondListen, String admin) {
    return """
        admin: %s
        inbound:
          - name: api
            listen: 127.0.0.1:0
            target: 127.0.0.1:9
            mode: disable
          - name: metrics
            listen: %s
            target: 127.0.0.1:9
            mode: disable
        """.formatted(admin, secondListen);
  }

  private void assertRefused(String yaml, int takenPort, String listener) throws Exception {
    Files.writeString(tmp.resolve("sidecar.yaml"), yaml);
    try (Proc proxy = Proc.trustmesh(tmp, "proxy", "run", "--config", tmp.resolve("sidecar.yaml"))) {
      assertThat(proxy.waitFor(120)).as(proxy.output()).isEqualTo(2);
      assertThat(proxy.output().strip().lines()).as(proxy.output()).containsExactly(
          "trustmesh: cannot listen on 127.0.0.1:" + takenPort + " for " + listener + ": Address already in use");
    }
  }

  @Test
  void aTakenListenPortStopsTheStartWithExitTwo() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertRefused(config("127.0.0.1:" + port, "127.0.0.1:0"), port, "metrics");
    }
  }

  @Test
  void aTakenAdminPortStopsTheStartWithExitTwo() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertRefused(config("127.0.0.1:0", "127.0.0.1:" + port), port, "admin");
    }
  }
}

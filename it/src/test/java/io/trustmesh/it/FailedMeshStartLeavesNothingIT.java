package io.trustmesh.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trustmesh up} that cannot finish starting leaves nothing behind: no process, no socket,
 * no state.json, no listening port; only logs/ to read why. Two ways to fail: a port of the mesh
 * file already taken (refused before anything starts, exit 2), and a service whose command dies
 * after the server, the agent, the sidecars and another service were already running.
 */
class FailedMeshStartLeavesNothingIT {
  @TempDir Path tmp;

  @Test
  void aPortAlreadyTakenIsNamedAndNothingStarts() throws Exception {
    Path file = tmp.resolve("trustmesh.yaml");
    Path state = tmp.resolve("state");
    Map<Integer, Integer> ports = null;
    String output = null;
    // The other picked ports are free again once picked: when another process takes one of them
    // first, up names that one instead (a collision, not what this test is about): new ports.
    for (int attempt = 1; attempt <= 3; attempt++) {
      Map<Integer, Integer> picked = LocalMeshes.quickstartOnFreePorts(file);
      ports = picked;
      try (ServerSocket taken = new ServerSocket(picked.get(8443), 1, InetAddress.getLoopbackAddress());
          Proc up = Proc.trustmesh(tmp, "up", file, "--state-dir", state, "--detach")) {
        int code = up.waitFor(120);
        output = up.output();
        assertThat(code).as(output).isEqualTo(2);
      }
      List<Integer> others = picked.values().stream().filter(p -> p != (int) picked.get(8443)).toList();
      if (LocalMeshes.collidedPort(output, others).isEmpty()) {
        break;
      }
      System.err.println("another process took a picked port (try " + attempt + " of 3): " + output);
    }
    int held = ports.get(8443);
    assertThat(output).contains("port " + held + " on 127.0.0.1 is already in use").doesNotContain("Exception");
    assertNothingLeft(state, ports.values().stream().filter(p -> p != held).toList());
  }

  @Test
  void aServiceThatDiesDuringTheStartTakesEverythingDownWithIt() throws Exception {
    int sidecarPort = LocalMeshes.freePort();
    int appPort = LocalMeshes.freePort();
    int callerTarget = LocalMeshes.freePort();
    int outbound = LocalMeshes.freePort();
    Path file = tmp.resolve("broken.yaml");
    Files.writeString(file, String.join("\n",
        "apiVersion: trustmesh.io/v1alpha1",
        "kind: Mesh",
        "trustDomain: broken.example",
        "services:",
        "  - name: caller",
        "    command: [trustmesh-builtin, legacy-client, --target, \"127.0.0.1:" + callerTarget + "\"]",
        "    upstreams:",
        "      - service: broken",
        "        localPort: " + outbound,
        "  - name: broken",
        "    command: [sh, -c, \"echo cannot start >&2; exit 3\"]",
        "    ports:",
        "      - port: " + sidecarPort,
        "        appPort: " + appPort,
        ""));
    Path state = tmp.resolve("state");
    try (Proc up = Proc.trustmesh(tmp, "up", file, "--state-dir", state, "--detach")) {
      int code = up.waitFor(180);
      assertThat(code).as(up.output()).isEqualTo(2);
      assertThat(up.output()).contains("service broken exited with status 3 before listening on 127.0.0.1:" + appPort)
          .contains("cannot start").doesNotContain("Exception");
    }
    assertThat(LocalMeshes.processesMentioning(List.of("127.0.0.1:" + callerTarget)))
        .as("the caller that had started").isEmpty();
    assertNothingLeft(state, List.of(sidecarPort, outbound));
    assertThat(state.resolve("logs/broken.log")).content().contains("cannot start");
  }

  private static void assertNothingLeft(Path state, List<Integer> ports) throws Exception {
    assertThat(state.resolve("state.json")).doesNotExist();
    assertThat(state.resolve("run")).as("sockets").doesNotExist();
    assertThat(state.resolve("server")).as("keys and SQLite").doesNotExist();
    assertThat(state.resolve("ca")).doesNotExist();
    assertThat(LocalMeshes.processesMentioning(List.of(state.toString()))).as("processes left").isEmpty();
    for (int p : ports) {
      assertThat(LocalMeshes.refused(p)).as("port %d still accepts", p).isTrue();
    }
  }
}

package io.trustmesh.mesh.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.io.FileOwnership;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** state.json as MESH-STATE.md specifies it: field names, what is omitted, what readers tolerate. */
class MeshStateTest {
  @TempDir Path dir;

  static MeshState sample() {
    return new MeshState(MeshState.VERSION, 1234, "2026-11-30T08:00:00Z", "/abs/trustmesh.yaml",
        "quickstart.trustmesh.local", "2026-11-30T08:00:05Z", null,
        new MeshState.Ca("/abs/.trustmesh/ca/hierarchy/root.pem", "/abs/.trustmesh/ca/hierarchy/intermediates/mesh/ca.pem"),
        new MeshState.Server("127.0.0.1:4000", "/abs/.trustmesh/run/admin.sock", "/abs/.trustmesh/server/bundle.pem"),
        new MeshState.Agent("unix:/abs/.trustmesh/run/agent.sock"),
        List.of(new MeshState.Service("web", "shop", "spiffe://quickstart.trustmesh.local/ns/shop/sa/web",
            new MeshState.ProcessInfo(4567, "2026-11-30T08:00:01Z", List.of("web")),
            List.of(new MeshState.Sidecar("inbound", "inbound-8080", 8080, "STRICT", "127.0.0.1:18080", null, null, null,
                "127.0.0.1:4001", "/abs/.trustmesh/logs/web.inbound.jsonl"),
                new MeshState.Sidecar("outbound", "outbound-api", 15001, null, "127.0.0.1:8081", "api", "mutual",
                    "spiffe://quickstart.trustmesh.local/ns/legacy/sa/api", "127.0.0.1:4002",
                    "/abs/.trustmesh/logs/web.outbound.jsonl"))),
            new MeshState.Service("legacy-client", "legacy", null, null, List.of())));
  }

  @Test
  void writtenWithTheContractsFieldNamesOwnerOnlyAndReadBack() throws Exception {
    sample().write(dir);
    Path f = dir.resolve("state.json");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    JsonNode n = new ObjectMapper().readTree(f.toFile());
    assertThat(n.path("version").asInt()).isEqualTo(1);
    assertThat(n.path("mesh_file").asText()).isEqualTo("/abs/trustmesh.yaml");
    assertThat(n.path("server").path("admin_socket").asText()).isEqualTo("/abs/.trustmesh/run/admin.sock");
    assertThat(n.path("agent").path("workload_api").asText()).isEqualTo("unix:/abs/.trustmesh/run/agent.sock");
    JsonNode web = n.path("services").get(0);
    assertThat(web.path("process").path("pid").asLong()).isEqualTo(4567);
    assertThat(web.path("sidecars").get(0).path("access_log").asText()).endsWith("web.inbound.jsonl");
    assertThat(web.path("sidecars").get(1).path("expect_id").asText()).endsWith("/sa/api");
    assertThat(web.path("sidecars").get(0).has("upstream")).as("absent fields are omitted").isFalse();
    assertThat(n.has("dashboard")).isFalse();
    assertThat(n.path("services").get(1).has("spiffe_id")).isFalse();

    assertThat(MeshState.read(dir)).contains(sample());
  }

  @Test
  void readersIgnoreFieldsTheyDoNotKnowAndSeeNothingWithoutAFile() throws Exception {
    assertThat(MeshState.read(dir)).isEmpty();
    Files.writeString(dir.resolve("state.json"), "{\"version\":1,\"pid\":7,\"future_field\":{\"x\":1},"
        + "\"services\":[{\"name\":\"a\",\"sidecars\":[{\"kind\":\"inbound\",\"port\":1,\"new\":true}]}]}");
    MeshState s = MeshState.read(dir).orElseThrow();
    assertThat(s.pid()).isEqualTo(7);
    assertThat(s.services().get(0).sidecars().get(0).port()).isEqualTo(1);
  }

  @Test
  void anotherVersionOrNotJsonIsBadInputNamingTheFile() throws Exception {
    Files.writeString(dir.resolve("state.json"), "{\"version\":2}");
    assertThatThrownBy(() -> MeshState.read(dir)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("state.json: state version 2 is not supported");
    Files.writeString(dir.resolve("state.json"), "not json");
    assertThatThrownBy(() -> MeshState.read(dir)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("is not a trustmesh mesh state");
  }

  // The one reader's check: status, down, edges, tap, the dashboard and rotate all go through it.

  @Test
  void aStateFileOthersCanWriteIsRefused() throws Exception {
    sample().write(dir);
    Files.setPosixFilePermissions(dir.resolve("state.json"), PosixFilePermissions.fromString("rw-rw-rw-"));
    assertThatThrownBy(() -> MeshState.read(dir)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("refusing " + dir.resolve("state.json")).hasMessageContaining("mode 0666");
  }

  @Test
  void aStateFileOfAnotherUserIsRefused() throws Exception {
    if (FileOwnership.currentUid() != 0) {
      if (System.getenv("CI") != null) {
        throw new AssertionError("chown to another uid needs root, and CI must run this test");
      }
      Assumptions.abort("not root: cannot give the file to another uid");
    }
    sample().write(dir);
    Files.setAttribute(dir.resolve("state.json"), "unix:uid", 65534);
    assertThatThrownBy(() -> MeshState.read(dir)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("owner uid 65534");
  }

  @Test
  void aStateDirectoryOthersCanWriteIsRefusedBeforeItsFileIsRead() throws Exception {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    sample().write(shared);
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThatThrownBy(() -> MeshState.read(shared)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("writable by group or others");
  }

  @Test
  void aSymbolicLinkIsRefused() throws Exception {
    Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
    sample().write(elsewhere);
    Path state = Files.createDirectory(dir.resolve("state"));
    Files.createSymbolicLink(state.resolve("state.json"), elsewhere.resolve("state.json"));
    assertThatThrownBy(() -> MeshState.read(state)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("a symbolic link");
  }
}

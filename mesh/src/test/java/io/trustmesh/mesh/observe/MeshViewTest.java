package io.trustmesh.mesh.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The observers' reading of {@code state.json}: tolerant of what it does not know, strict on what it needs. */
class MeshViewTest {
  @TempDir Path dir;

  @Test
  void unknownFieldsAreIgnoredAndRelativePathsAreTakenFromTheStateDirectory() throws Exception {
    Files.writeString(dir.resolve("state.json"), """
        {"version": 1, "trust_domain": "example.org", "new_top_level": {"x": [1, 2]},
         "server": {"bundle": "server/bundle.pem", "future": true},
         "services": [{"name": "api", "namespace": "backend", "spiffe_id": "spiffe://example.org/ns/backend/sa/api",
           "colour": "blue",
           "sidecars": [{"kind": "inbound", "port": 8081, "mode": "STRICT", "access_log": "logs/api.jsonl",
                         "admin": "127.0.0.1:9901", "weight": 3}]}]}
        """);
    MeshView s = MeshView.read(dir);
    assertThat(s.trustDomain()).isEqualTo("example.org");
    assertThat(s.bundle()).contains(dir.resolve("server/bundle.pem"));
    MeshView.Sidecar c = s.service("api").orElseThrow().sidecars().get(0);
    assertThat(c.accessLog()).contains(dir.resolve("logs/api.jsonl"));
    assertThat(c.mode()).contains("STRICT");
    assertThat(s.serviceWithId("spiffe://example.org/ns/backend/sa/api")).isPresent();
  }

  @Test
  void noStateFileSaysHowToStartAMesh() {
    assertThatThrownBy(() -> MeshView.read(dir)).isInstanceOf(BadInputException.class)
        .hasMessage("no running mesh in " + dir + " (no state.json); start one with 'trustmesh up' or give --state-dir");
  }

  @Test
  void anotherVersionOrNotAnObjectIsRefusedByName() throws Exception {
    Files.writeString(dir.resolve("state.json"), "{\"version\": 2}");
    assertThatThrownBy(() -> MeshView.read(dir)).hasMessageContaining("version 2 is not supported (expected 1)");
    Files.writeString(dir.resolve("state.json"), "[1]");
    assertThatThrownBy(() -> MeshView.read(dir)).hasMessageContaining("not a JSON object");
    Files.writeString(dir.resolve("state.json"), "{\"version\": 1, \"services\": [{\"namespace\": \"x\"}]}");
    assertThatThrownBy(() -> MeshView.read(dir)).hasMessageContaining("services[0].name is missing");
  }

  @Test
  void aStateFileAnotherUserCouldHaveWrittenIsRefused() throws Exception {
    // Whoever can write it chooses which logs edges and tap read and what the dashboard shows.
    Path f = Files.writeString(dir.resolve("state.json"), "{\"version\": 1, \"services\": []}");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-rw-"));
    assertThatThrownBy(() -> MeshView.read(dir)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("mode 0666").hasMessageContaining("no one else can write");
  }

  @Test
  void theMeshFilesPortsAreKeptWhereASidecarListensElsewhere() throws Exception {
    Files.writeString(dir.resolve("state.json"), """
        {"version": 1, "services": [{"name": "api", "sidecars": [
          {"kind": "inbound", "port": 41000, "mesh_port": 8081},
          {"kind": "outbound", "port": 15001, "upstream_port": 8082}]}]}
        """);
    MeshView.Service api = MeshView.read(dir).service("api").orElseThrow();
    assertThat(api.sidecars().get(0).meshPort()).hasValue(8081);
    assertThat(api.sidecars().get(1).upstreamPort()).hasValue(8082);
    assertThat(api.sidecars().get(0).upstreamPort()).isEmpty();
  }
}

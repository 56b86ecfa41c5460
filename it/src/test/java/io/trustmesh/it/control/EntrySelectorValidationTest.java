package io.trustmesh.it.control;

import static io.trustmesh.it.control.CliControlPlaneTest.trustmesh;
import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.it.control.CliControlPlaneTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 9 item 10, as found: {@code unix:uid:abc}, {@code unix:uid:-1}, {@code unix:bogus:1} and
 * {@code k8s:ns:default} made entries that could never match. Now {@code entry create} refuses each
 * with exit 2 and one line naming the value and the kinds the agent can attest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EntrySelectorValidationTest {
  static final String VALID_KINDS = "valid kinds: unix:uid:1000, unix:gid:100, unix:pid:4242,"
      + " unix:path:/usr/bin/app, unix:sha256:HEX";
  static final SpiffeId WEB = SpiffeId.parse("spiffe://example.org/web");
  ControlPlane cp;

  @BeforeAll
  void startServer(@TempDir Path dir) {
    cp = new ControlPlane(dir);
    cp.startServer();
  }

  @AfterAll
  void stopServer() {
    cp.close();
  }

  private Run create(String selector) throws Exception {
    return trustmesh("entry", "create", "--admin-socket", cp.serverConfig.adminSocket.toString(),
        "--spiffe-id", "spiffe://example.org/web", "--parent-id", ControlPlane.AGENT_ID, "--selector", selector);
  }

  @ParameterizedTest
  @ValueSource(strings = {"unix:uid:abc", "unix:uid:-1", "unix:bogus:1", "k8s:ns:default"})
  void aSelectorNoAttestorProducesIsRefused(String selector) throws Exception {
    Run r = create(selector);
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).hasLineCount(1).startsWith("trustmesh: invalid selector '" + selector + "': ")
        .endsWith(VALID_KINDS + "\n");
    assertThat(cp.server.dataStore().listEntries(Optional.empty(), Optional.of(WEB))).isEmpty();
  }

  @Test
  void theSelectorsTheAgentProducesAreAccepted() throws Exception {
    Path exe = Files.readSymbolicLink(Path.of("/proc/self/exe"));
    Run r = trustmesh("entry", "create", "--admin-socket", cp.serverConfig.adminSocket.toString(),
        "--spiffe-id", "spiffe://example.org/java", "--parent-id", ControlPlane.AGENT_ID,
        "--selector", "unix:uid:4002", "--selector", "unix:gid:0", "--selector", "unix:path:" + exe,
        "--selector", "unix:sha256:" + "ab".repeat(32), "--output", "json");
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).contains("\"unix:uid:4002\"", "\"unix:path:" + exe + "\"");
  }
}

package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.spiffe.SpiffeId;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sidecar.yaml's per-listener identities: {@code identities:} by name, {@code identity: NAME} on a listener. */
class SidecarFileListenerIdentityTest {
  @TempDir Path tmp;

  private SidecarFile load(String yaml) throws Exception {
    Path f = tmp.resolve("sidecar.yaml");
    Files.writeString(f, yaml);
    return SidecarFile.load(f);
  }

  @Test
  void listenersPresentTheirNamedIdentityElseTheProcessOne() throws Exception {
    SidecarFile f = load("""
        identity:
          workload_api: unix:///run/agent.sock
        identities:
          web: {svid_dir: svids/web}
          api: {spiffe_id: spiffe://example.org/api}
        inbound:
          - {name: web, listen: 127.0.0.1:0, target: 127.0.0.1:8080, identity: web, allow: {any_id: true}}
          - {name: api, listen: 127.0.0.1:0, target: 127.0.0.1:8081, identity: api, allow: {any_id: true}}
          - {name: node, listen: 127.0.0.1:0, target: 127.0.0.1:8082, allow: {any_id: true}}
        outbound:
          - {name: web-out, listen: 127.0.0.1:0, target: 10.0.0.1:8443, identity: web,
             expect_id: spiffe://example.org/db}
        """);
    assertThat(f.identityOf("web").svidDir()).contains(tmp.resolve("svids/web"));
    assertThat(f.identityOf("web-out")).isEqualTo(f.identityOf("web"));
    // a spiffe_id alone selects from the process's Workload API
    assertThat(f.identityOf("api").workloadApi()).contains("unix:///run/agent.sock");
    assertThat(f.identityOf("api").spiffeId()).contains(SpiffeId.parse("spiffe://example.org/api"));
    assertThat(f.identityOf("node")).isEqualTo(f.identity());
    assertThat(f.listenerIdentities()).containsOnlyKeys("web", "api", "web-out");
  }

  @Test
  void aListenerNamingAnIdentityThatDoesNotExistIsNamed() {
    assertThatThrownBy(() -> load("""
        identities:
          web: {svid_dir: svids/web}
        inbound:
          - {name: api, listen: 127.0.0.1:0, target: 127.0.0.1:8081, identity: wbe, allow: {any_id: true}}
        """)).isInstanceOf(BadInputException.class)
        .hasMessageEndingWith("sidecar.yaml: inbound[0].identity: no identity named 'wbe' under identities: (defined: web)");
    assertThatThrownBy(() -> load("""
        outbound:
          - {name: out, listen: 127.0.0.1:0, target: 10.0.0.1:1, identity: web, expect_id: spiffe://example.org/db}
        """)).isInstanceOf(BadInputException.class)
        .hasMessageEndingWith("sidecar.yaml: outbound[0].identity: no identity named 'web' under identities: (there are none)");
  }

  @Test
  void aBadNamedIdentityIsNamed() {
    assertThatThrownBy(() -> load("""
        identities:
          api: {spiffe_id: spiffe://example.org/api}
        inbound:
          - {name: api, listen: 127.0.0.1:0, target: 127.0.0.1:8081, identity: api, allow: {any_id: true}}
        """)).isInstanceOf(BadInputException.class)
        .hasMessageEndingWith("identities.api.spiffe_id: picks one of the agent's SVIDs: give workload_api too");
    assertThatThrownBy(() -> load("""
        identities:
          api: {svid_dir: a, cert: c.pem, key: k.pem}
        inbound: []
        """)).isInstanceOf(BadInputException.class)
        .hasMessageEndingWith("identities.api: give one of svid_dir, workload_api, or cert + key");
    assertThatThrownBy(() -> load("""
        identities:
          api: {}
        inbound: []
        """)).isInstanceOf(BadInputException.class)
        .hasMessageEndingWith("identities.api: give svid_dir, cert + key, or spiffe_id (with workload_api)");
    assertThatThrownBy(() -> load("""
        identities:
          api: {svid_dir: a, reload_interval: 5s}
        inbound: []
        """)).isInstanceOf(BadInputException.class).hasMessageContaining("identities.api.reload_interval: unknown field");
  }
}

package io.trustmesh.mesh.rotate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which of a sidecar's connection counters are failures a rotation could have caused. */
class SidecarConnectionsTest {
  static final String METRICS = """
      # HELP trustmesh_proxy_connections_total Client connections by outcome
      # TYPE trustmesh_proxy_connections_total counter
      trustmesh_proxy_connections_total{direction="inbound",listener="inbound",result="ok",tls="mtls"} 120.0
      trustmesh_proxy_connections_total{direction="inbound",listener="inbound",result="handshake_failed",tls="none"} 2.0
      trustmesh_proxy_connections_total{direction="outbound",listener="outbound",result="upstream_failed",tls="mtls"} 1.0
      trustmesh_proxy_connections_total{direction="inbound",listener="inbound",result="denied",tls="mtls"} 7.0
      trustmesh_proxy_handshake_failures_total{direction="inbound",listener="inbound",reason="unknown_ca"} 2.0
      """;

  @Test
  void handshakeAndUpstreamFailuresCountDenialsDoNot() {
    SidecarConnections.Counts c = SidecarConnections.parse(METRICS);
    assertThat(c.connections()).isEqualTo(130);
    assertThat(c.failed()).as("a denied caller is policy, not a failed rotation").isEqualTo(3);
  }

  @Test
  void theDifferenceIsWhatHappenedDuringTheRotation() {
    SidecarConnections.Counts before = new SidecarConnections.Counts(100, 1, 0);
    SidecarConnections.Counts after = new SidecarConnections.Counts(160, 1, 0);
    assertThat(after.minus(before)).isEqualTo(new SidecarConnections.Counts(60, 0, 0));
  }

  @Test
  void aCallerTheInboundDeniedIsNotCountedFromItsOutboundSide() {
    // the quick-start's intruder: its outbound sidecar sees only the handshake_failure alert
    String intruder = """
        trustmesh_proxy_connections_total{direction="outbound",listener="outbound-payments",result="handshake_failed",tls="mtls"} 28.0
        trustmesh_proxy_connections_total{direction="outbound",listener="outbound-payments",result="upstream_failed",tls="mtls"} 1.0
        """;
    SidecarConnections.Counts c = SidecarConnections.parse(intruder);
    assertThat(c.failed()).as("the inbound logs the denial; only the unreachable upstream counts").isEqualTo(1);
  }
}

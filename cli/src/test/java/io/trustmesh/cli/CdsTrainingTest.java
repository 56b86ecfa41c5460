package io.trustmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The training run reads the port its sidecar bound (it listens on port 0) from the sidecar's banner. */
class CdsTrainingTest {
  @Test
  void thePortComesFromTheInboundLineOnceTheSidecarHasBound() {
    assertThat(CdsTraining.boundPort("trustmesh proxy: TLS engine BoringSSL, epoll\n"
        + "  identity  spiffe://cds.trustmesh.invalid/server  serial 1a2b, expires in 9m57s\n")).isEqualTo(-1);
    assertThat(CdsTraining.boundPort("trustmesh proxy: TLS engine BoringSSL, epoll\n"
        + "  identity  spiffe://cds.trustmesh.invalid/server  serial 1a2b, expires in 9m57s\n"
        + "  inbound   inbound  127.0.0.1:45445 -> 127.0.0.1:39001  mode strict  allow id=spiffe://cds.trustmesh.invalid/client\n"))
        .isEqualTo(45445);
  }
}

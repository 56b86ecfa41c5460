package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.trustmesh.api.node.proto.FetchEntriesRequest;
import io.trustmesh.api.node.proto.FetchEntriesResponse;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.svid.X509Svid;
import java.time.Clock;
import java.time.Duration;

/** What the agent-identity attack tests share: minting with the CA, calling the node API as someone. */
final class AgentIdentities {
  private AgentIdentities() {}

  /**
   * An SVID for {@code id} signed by the server's active CA directly, as an attacker holding any
   * CA-issued certificate with that ID (a workload SVID from an entry, a copied file) would have it.
   */
  static X509Svid mintedByTheCa(ControlPlane cp, String id, Clock clock) {
    IssuedCertificate c = Issuance.workload(SpiffeId.parse(id)).ttl(Duration.ofMinutes(30)).clock(clock)
        .signedBy(cp.server.authority().active());
    return X509Svid.of(c.chain(), c.keyPair().orElseThrow().getPrivate(), "minted " + id);
  }

  /** FetchEntries on the node API presenting {@code svid}. */
  static FetchEntriesResponse fetchEntriesAs(ControlPlane cp, X509Svid svid, Clock clock) throws Exception {
    ManagedChannel ch = Workloads.nodeChannel(cp.server.nodeAddress(), svid, cp.server.authority().bundle(),
        ControlPlane.TD, clock);
    try {
      return Workloads.node(ch).fetchEntries(FetchEntriesRequest.getDefaultInstance());
    } finally {
      ch.shutdownNow();
    }
  }

  /** FetchEntries as {@code svid} is refused with PERMISSION_DENIED and a description containing {@code why}. */
  static void refused(ControlPlane cp, X509Svid svid, Clock clock, String why) {
    assertThatThrownBy(() -> fetchEntriesAs(cp, svid, clock))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(e.getStatus().getDescription()).contains(why);
        });
  }
}

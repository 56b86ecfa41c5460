package io.trustmesh.api.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.api.workload.proto.X509SVID;
import io.trustmesh.core.spiffe.SpiffeId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One agent response, several SVIDs for the same uid: which one a sidecar presents. */
class SvidChoiceTest {
  static final X509SVID WEB = svid("spiffe://example.org/web");
  static final X509SVID API = svid("spiffe://example.org/api");

  @Test
  void withoutAnIdTheFirstIsTheDefault() {
    assertThat(SvidChoice.choose(List.of(WEB, API), Optional.empty())).isSameAs(WEB);
  }

  @Test
  void theRequestedIdWinsWhereverItIsListed() {
    assertThat(SvidChoice.choose(List.of(WEB, API), Optional.of(SpiffeId.parse("spiffe://example.org/api"))))
        .isSameAs(API);
    assertThat(SvidChoice.choose(List.of(WEB, API), Optional.of(SpiffeId.parse("spiffe://example.org/web"))))
        .isSameAs(WEB);
  }

  @Test
  void aMissingIdIsNamedWithWhatTheAgentOffers() {
    assertThatThrownBy(() -> SvidChoice.choose(List.of(WEB, API),
        Optional.of(SpiffeId.parse("spiffe://example.org/db"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the agent offers no SVID for spiffe://example.org/db"
            + " (it offers spiffe://example.org/web, spiffe://example.org/api)");
  }

  @Test
  void aPrefixOfTheRequestedIdIsNotIt() {
    assertThatThrownBy(() -> SvidChoice.choose(List.of(svid("spiffe://example.org/api/v2")),
        Optional.of(SpiffeId.parse("spiffe://example.org/api"))))
        .hasMessageContaining("no SVID for spiffe://example.org/api (");
  }

  @Test
  void anIdWithALineBreakStaysOnOneLine() {
    assertThatThrownBy(() -> SvidChoice.choose(List.of(svid("spiffe://example.org/x\nFAKE: ok")),
        Optional.of(SpiffeId.parse("spiffe://example.org/api"))))
        .message().doesNotContain("\n");
  }

  @Test
  void anEmptyResponseIsRefused() {
    assertThatThrownBy(() -> SvidChoice.choose(List.of(), Optional.empty()))
        .hasMessage("the response carries no SVID");
  }

  private static X509SVID svid(String id) {
    return X509SVID.newBuilder().setSpiffeId(id).build();
  }
}

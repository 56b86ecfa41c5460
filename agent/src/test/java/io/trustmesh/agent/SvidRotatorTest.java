package io.trustmesh.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.time.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Renewal times and backoff, on a clock the test moves. */
class SvidRotatorTest {
  static final TrustDomain TD = TrustDomain.parse("example.org");
  final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  CertificateAuthority ca;

  @BeforeEach
  void ca() {
    IssuedCertificate r = Issuance.root(TD).clock(clock).selfSigned();
    ca = CertificateAuthority.of(r.chain(), r.keyPair().orElseThrow().getPrivate());
  }

  X509Svid svid(Duration ttl) {
    IssuedCertificate c = Issuance.workload(SpiffeId.parse("spiffe://example.org/web")).ttl(ttl).clock(clock)
        .signedBy(ca);
    return X509Svid.of(c.chain(), c.keyPair().orElseThrow().getPrivate(), "test");
  }

  @Test
  void renewsAtHalfTheRemainingLifePlusTheJitter() {
    SvidRotator r = new SvidRotator(clock, Duration.ofSeconds(5), Duration.ofSeconds(30), bound -> bound - 1);
    X509Svid oneHour = svid(Duration.ofHours(1));
    // 1h left: half is 30 min; the jitter may add up to a tenth (6 min), here pinned to its maximum.
    assertThat(r.renewalTime(oneHour)).isEqualTo(clock.instant().plus(Duration.ofMinutes(36)).minusMillis(1));
  }

  @Test
  void anEntryBecomesDueWhenTheClockReachesItsRenewalTime() {
    SvidRotator r = new SvidRotator(clock, Duration.ofSeconds(5), Duration.ofSeconds(30), bound -> 0);
    assertThat(r.due("e1")).as("never issued: due at once").isTrue();
    r.issued("e1", svid(Duration.ofHours(1)));
    assertThat(r.due("e1")).isFalse();
    clock.advance(Duration.ofMinutes(29));
    assertThat(r.due("e1")).isFalse();
    clock.advance(Duration.ofMinutes(1));
    assertThat(r.due("e1")).isTrue();
    r.forget("e1");
    assertThat(r.due("e1")).isTrue();
  }

  @Test
  void theAgentSvidHasItsOwnRenewalTime() {
    SvidRotator r = new SvidRotator(clock, Duration.ofSeconds(5), Duration.ofSeconds(30), bound -> 0);
    assertThat(r.agentDue()).isTrue();
    r.agentIssued(svid(Duration.ofHours(2)));
    clock.advance(Duration.ofMinutes(59));
    assertThat(r.agentDue()).isFalse();
    clock.advance(Duration.ofMinutes(1));
    assertThat(r.agentDue()).isTrue();
  }

  @Test
  void anExpiredSvidIsDueNow() {
    SvidRotator r = new SvidRotator(clock, Duration.ofSeconds(5), Duration.ofSeconds(30), bound -> 0);
    X509Svid s = svid(Duration.ofMinutes(10));
    clock.advance(Duration.ofMinutes(11));
    assertThat(r.renewalTime(s)).isEqualTo(clock.instant());
  }

  @Test
  void backoffDoublesUpToTheCeilingAndResetsAfterASuccess() {
    SvidRotator r = new SvidRotator(clock, Duration.ofSeconds(5), Duration.ofSeconds(30), bound -> 0);
    assertThat(r.failed()).isEqualTo(Duration.ofSeconds(10));
    assertThat(r.failed()).isEqualTo(Duration.ofSeconds(20));
    assertThat(r.failed()).isEqualTo(Duration.ofSeconds(30));
    assertThat(r.failed()).isEqualTo(Duration.ofSeconds(30));
    assertThat(r.succeeded()).isEqualTo(Duration.ofSeconds(5));
    assertThat(r.failed()).isEqualTo(Duration.ofSeconds(10));
  }
  @Test
  void aForcedReissueMakesEverySvidThatPredatesTheMarkDueAtOnce() {
    SvidRotator r = new SvidRotator(clock, Duration.ofSeconds(5), Duration.ofSeconds(30), bound -> 0);
    X509Svid old = svid(Duration.ofHours(1));
    r.issued("e1", old);
    r.agentIssued(old);
    assertThat(r.due("e1", old)).isFalse();
    assertThat(r.agentDue(old)).isFalse();

    clock.advance(Duration.ofMinutes(2));
    // What the server reports after 'trustmesh rotate --svids': the next whole second, backdated.
    Instant mark = clock.instant().plusSeconds(1).minus(Issuance.BACKDATE);
    r.reissueNotBefore(mark);
    assertThat(r.due("e1", old)).as("issued before the rotation").isTrue();
    assertThat(r.agentDue(old)).as("the agent's own SVID too").isTrue();

    clock.advance(Duration.ofSeconds(1));
    X509Svid fresh = svid(Duration.ofHours(1));
    r.issued("e1", fresh);
    assertThat(r.due("e1", fresh)).as("re-issued once, not again").isFalse();
    r.reissueNotBefore(Instant.EPOCH);
    assertThat(r.due("e1", old)).as("a server with an older view cannot undo the mark").isTrue();
  }
}

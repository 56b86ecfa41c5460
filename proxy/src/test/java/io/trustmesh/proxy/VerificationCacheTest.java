package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.diagnosis.Cause;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.time.ManualClock;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 item 1: the chain-verification cache saves the verifier's work on a chain it has seen,
 * and never admits what a fresh verification would refuse now. Each test performs the attack a
 * careless cache would let in: the same chain after the leaf expired, after the bundle rotated its
 * CA out, on another listener that does not trust it, and another chain that only looks alike.
 */
class VerificationCacheTest {
  final ManualClock clock = new ManualClock(Instant.now());
  final Pki pki = Pki.create("example.org", clock);
  final SpiffeId web = pki.id("ns", "prod", "sa", "web");
  final VerificationCache cache = VerificationCache.create();
  final AllowPolicy allowTd = AllowPolicy.builder().trustDomain(pki.td).build();

  private SpiffePeerCheck inbound(X509BundleSet bundles, long version) {
    return new SpiffePeerCheck(bundles, version, allowTd, true, clock, cache);
  }

  private X509BundleSet bundleOf(Pki p) {
    return X509BundleSet.of(new X509Bundle(p.td, List.of(p.root)));
  }

  private static X509Certificate[] chain(X509Svid svid) {
    return svid.chain().toArray(new X509Certificate[0]);
  }

  @Test
  void aChainSeenBeforeIsServedFromTheCacheWithItsIdentity() {
    SpiffePeerCheck check = inbound(bundleOf(pki), 1);
    X509Certificate[] client = chain(pki.svid(web, clock, Duration.ofHours(1)));

    assertThat(check.check(client).isAdmitted()).isTrue();
    PeerVerdict again = check.check(client);

    assertThat(again.isAdmitted()).isTrue();
    assertThat(again.peerId()).isEqualTo(web.toString());
    assertThat(cache.hits()).isEqualTo(1);
  }

  @Test
  void theLeafsNotAfterEndsTheEntryAndTheChainIsRefusedAsExpired() {
    SpiffePeerCheck check = inbound(bundleOf(pki), 1);
    X509Certificate[] client = chain(pki.svid(web, clock, Duration.ofMinutes(5)));
    assertThat(check.check(client).isAdmitted()).isTrue();
    assertThat(check.check(client).isAdmitted()).isTrue();

    clock.advance(Duration.ofMinutes(6));
    PeerVerdict after = check.check(client);

    assertThat(after.isAdmitted()).isFalse();
    assertThat(after.refusal().cause()).isEqualTo(Cause.PEER_CERT_EXPIRED);
    assertThat(cache.hits()).isEqualTo(1);
  }

  @Test
  void aBundleRotationThatRemovesTheCaRefusesAChainCachedBefore() {
    Pki other = Pki.create("example.org", clock); // the same trust domain, a new root
    X509Certificate[] client = chain(pki.svid(web, clock, Duration.ofHours(1)));
    assertThat(inbound(bundleOf(pki), 1).check(client).isAdmitted()).isTrue();

    SpiffePeerCheck rotated = inbound(bundleOf(other), 2); // the next snapshot: the old root left the bundle
    PeerVerdict after = rotated.check(client);

    assertThat(after.isAdmitted()).isFalse();
    assertThat(after.refusal().cause()).isEqualTo(Cause.PEER_UNKNOWN_AUTHORITY);
    assertThat(cache.size()).isZero();
  }

  @Test
  void anotherListenerOfTheSameSnapshotDoesNotSeeTheEntry() {
    Pki other = Pki.create("example.org", clock);
    X509Certificate[] client = chain(pki.svid(web, clock, Duration.ofHours(1)));
    // an outbound listener with its own --ca-bundle trusts pki's root; the inbound one does not
    SpiffePeerCheck trusting = inbound(bundleOf(pki), 1);
    SpiffePeerCheck notTrusting = inbound(bundleOf(other), 1);
    assertThat(trusting.check(client).isAdmitted()).isTrue();

    assertThat(notTrusting.check(client).isAdmitted()).isFalse();
  }

  @Test
  void theAllowPolicyIsAskedEveryTime() {
    X509Certificate[] client = chain(pki.svid(web, clock, Duration.ofHours(1)));
    X509BundleSet bundles = bundleOf(pki);
    assertThat(inbound(bundles, 1).check(client).isAdmitted()).isTrue();

    SpiffePeerCheck onlyBackend = new SpiffePeerCheck(bundles, 1,
        AllowPolicy.builder().id(pki.id("ns", "prod", "sa", "backend")).build(), true, clock, cache);
    PeerVerdict v = onlyBackend.check(client);

    assertThat(v.isAdmitted()).isFalse();
    assertThat(v.refusal().cause()).isEqualTo(Cause.PEER_NOT_ALLOWED);
  }

  @Test
  void aDifferentChainIsNeverServedAnotherChainsEntry() {
    SpiffePeerCheck check = inbound(bundleOf(pki), 1);
    X509Certificate[] good = chain(pki.svid(web, clock, Duration.ofHours(1)));
    Pki attacker = Pki.create("example.org", clock);
    X509Certificate[] forged = chain(attacker.svid(web, clock, Duration.ofHours(1))); // same ID, other CA
    assertThat(check.check(good).isAdmitted()).isTrue();

    assertThat(check.check(forged).isAdmitted()).isFalse();
  }
}

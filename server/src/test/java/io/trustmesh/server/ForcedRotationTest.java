package io.trustmesh.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.api.admin.proto.RotationStatus;
import io.trustmesh.api.admin.proto.SigningCa;
import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.Csrs;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.time.ManualClock;
import io.trustmesh.server.ca.SigningAuthority;
import io.trustmesh.server.ca.Upstream;
import io.trustmesh.server.datastore.AttestedNode;
import io.trustmesh.server.datastore.JdbcDataStore;
import io.trustmesh.server.datastore.RegistrationEntry;
import io.trustmesh.server.keymanager.MemoryKeyManager;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forced rotation's state machine ({@code trustmesh rotate}) on a clock the test moves: a
 * successor CA is published before it signs when the bundle lists the signing CAs, signs at once when
 * an upstream root is the anchor, the predecessor stays published until what it signed has expired,
 * and the SVID re-issue mark is set only once the successor signs.
 */
class ForcedRotationTest {
  static final TrustDomain TD = TrustDomain.parse("example.org");
  static final SpiffeId AGENT = TD.newSpiffeId("agent", "node-1");
  static final SpiffeId WEB = TD.newSpiffeId("web");
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00.400Z");
  static final Duration CA_TTL = Duration.ofHours(60);
  static final Duration MAX_SVID_TTL = Duration.ofHours(10);
  static final Duration PROPAGATION = Duration.ofMinutes(1);

  @TempDir Path dir;
  final ManualClock clock = new ManualClock(T0);

  private SigningAuthority authority(JdbcDataStore store, Upstream upstream) {
    SigningAuthority sa = new SigningAuthority(TD, upstream, CA_TTL, MAX_SVID_TTL, new MemoryKeyManager(), store, clock);
    sa.rotate();
    return sa;
  }

  private X509Certificate signWithActive(SigningAuthority sa) {
    IssuedCertificate c = Issuance.workload(WEB).ttl(Duration.ofMinutes(10)).clock(clock).signedBy(sa.active());
    return c.certificate();
  }

  private static SigningCa ca(RotationStatus s, String id) {
    return s.getCasList().stream().filter(c -> c.getId().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void selfSignedPublishesTheSuccessorThenActivatesItThenRetiresThePredecessor() throws Exception {
    try (JdbcDataStore store = JdbcDataStore.open("sqlite", dir)) {
      SigningAuthority sa = authority(store, Upstream.selfSignedRoots());
      ForcedRotation forced = new ForcedRotation(sa, store, clock);
      String a = sa.activeId();
      X509Certificate caA = sa.active().certificate();

      RotationStatus asked = forced.rotate(true, true, PROPAGATION, "admin");
      String b = asked.getRotatedTo();
      assertThat(asked.getRotatedFrom()).isEqualTo(a);
      assertThat(b).isNotEqualTo(a);
      assertThat(asked.getPublication()).isEqualTo("anchors");
      assertThat(ca(asked, b).getState()).isEqualTo("prepared");
      assertThat(ca(asked, b).getNextChangeEpochSeconds()).isEqualTo(T0.plus(PROPAGATION).getEpochSecond());
      assertThat(sa.bundle()).as("published at once: peers can fetch it").hasSize(2).contains(caA);
      assertThat(signWithActive(sa).getIssuerX500Principal()).as("A still signs while B propagates")
          .isEqualTo(caA.getSubjectX500Principal());
      assertThat(asked.getSvidsPendingActivation()).isTrue();
      assertThat(store.svidsNotBefore()).as("a re-issue now would get SVIDs from A").isEqualTo(Instant.EPOCH);
      assertThat(forced.rotate(true, false, PROPAGATION, "admin").getRotatedTo())
          .as("asked again while B waits: the same rotation").isEqualTo(b);

      clock.advance(PROPAGATION.minusSeconds(1));
      sa.rotate();
      forced.tick();
      assertThat(sa.activeId()).isEqualTo(a);

      clock.advance(Duration.ofSeconds(1));
      Instant activation = clock.instant();
      sa.rotate();
      forced.tick();
      assertThat(sa.activeId()).isEqualTo(b);
      assertThat(signWithActive(sa).getIssuerX500Principal()).isNotEqualTo(caA.getSubjectX500Principal());
      assertThat(store.svidsNotBefore()).as("the mark: the next whole second, backdated like a certificate")
          .isEqualTo(Instant.parse("2030-01-01T00:01:01Z").minus(Issuance.BACKDATE));
      RotationStatus after = forced.status();
      assertThat(after.getSvidsPendingActivation()).isFalse();
      assertThat(ca(after, a).getState()).isEqualTo("retiring");
      Instant retireAt = activation.plus(MAX_SVID_TTL);
      assertThat(ca(after, a).getNextChangeEpochSeconds()).isEqualTo(retireAt.getEpochSecond());

      clock.set(retireAt.minusSeconds(1));
      sa.rotate();
      assertThat(sa.bundle()).as("A stays published while an SVID it signed may be alive").contains(caA);
      clock.set(retireAt);
      sa.rotate();
      assertThat(sa.bundle()).as("retired").doesNotContain(caA).hasSize(1);
      assertThat(store.signingCas()).extracting(r -> r.id()).containsExactly(b);
    }
  }

  @Test
  void underAnUpstreamRootTheSuccessorSignsAtOnceAndTheBundleDoesNotChange() throws Exception {
    IssuedCertificate root = Issuance.root(TD).clock(clock).selfSigned();
    CertificateAuthority rootCa = CertificateAuthority.of(root.chain(), root.keyPair().orElseThrow().getPrivate());
    IssuedCertificate mid = Issuance.intermediate("cluster", TD).pathLen(1).clock(clock).signedBy(rootCa);
    CertificateAuthority midCa = CertificateAuthority.of(mid.chain(), mid.keyPair().orElseThrow().getPrivate());
    try (JdbcDataStore store = JdbcDataStore.open("sqlite", dir)) {
      SigningAuthority sa = authority(store, Upstream.disk(midCa, List.of(root.certificate())));
      ForcedRotation forced = new ForcedRotation(sa, store, clock);
      String a = sa.activeId();
      RotationStatus s = forced.rotate(true, true, PROPAGATION, "admin");
      assertThat(s.getPublication()).isEqualTo("chains");
      assertThat(sa.activeId()).as("every chain carries its signing CA; the anchor is unchanged").isEqualTo(s.getRotatedTo())
          .isNotEqualTo(a);
      assertThat(sa.bundle()).containsExactly(root.certificate());
      assertThat(store.svidsNotBefore()).isEqualTo(Instant.parse("2030-01-01T00:00:01Z").minus(Issuance.BACKDATE));
      assertThat(ca(s, a).getState()).isEqualTo("retiring");
    }
  }

  @Test
  void svidsAloneSetTheMarkAtOnceAndTheStatusCountsWhatWasReissued() throws Exception {
    try (JdbcDataStore store = JdbcDataStore.open("sqlite", dir)) {
      SigningAuthority sa = authority(store, Upstream.selfSignedRoots());
      ForcedRotation forced = new ForcedRotation(sa, store, clock);
      store.saveAttestedNode(new AttestedNode(AGENT, "join_token", "01", T0.plus(Duration.ofHours(1)), T0));
      store.createEntry(new RegistrationEntry("e1", WEB, AGENT, List.of("unix:uid:1000"), Duration.ZERO, List.of(),
          "", T0), "admin");
      Issuer issuer = Issuer.create(sa, store, clock);
      String a = sa.activeId();

      RotationStatus s = forced.rotate(false, true, Duration.ZERO, "admin");
      assertThat(sa.activeId()).as("--svids alone keeps the CA").isEqualTo(a);
      assertThat(s.getRotatedTo()).isEmpty();
      assertThat(s.getSvidsExpected()).as("the entry's SVID and its agent's own").isEqualTo(2);
      assertThat(s.getSvidsReissued()).isZero();
      assertThat(s.getSvidsPendingList()).containsExactlyInAnyOrder(AGENT + " " + WEB, AGENT + " " + AGENT);

      clock.advance(Duration.ofSeconds(1));
      issuer.sign(List.of(new Issuer.Request(csr(), WEB, Duration.ofMinutes(10), List.of())), AGENT.toString());
      X509Certificate fresh = signWithActive(sa);
      assertThat(fresh.getNotBefore().toInstant()).as("a new SVID is not before the mark")
          .isAfterOrEqualTo(store.svidsNotBefore());
      s = forced.status();
      assertThat(s.getSvidsReissued()).isEqualTo(1);
      assertThat(s.getSvidsPendingList()).containsExactly(AGENT + " " + AGENT);
    }
  }

  @Test
  void anotherServerOnTheDatastorePublishesTheSuccessorWithItsNextTick() throws Exception {
    try (JdbcDataStore store = JdbcDataStore.open("sqlite", dir)) {
      SigningAuthority one = authority(store, Upstream.selfSignedRoots());
      SigningAuthority two = authority(store, Upstream.selfSignedRoots());
      String twosOwn = two.activeId();
      RotationStatus s = new ForcedRotation(one, store, clock).rotate(true, false, PROPAGATION, "admin");
      X509Certificate successor = one.bundle().stream()
          .filter(c -> !c.equals(one.active().certificate()) && one.bundle().size() > 1)
          .filter(c -> c.getSubjectX500Principal().getName().contains(s.getRotatedTo().substring(0, 11)))
          .findFirst().orElseThrow();
      two.rotate();
      assertThat(two.bundle()).as("published by the other server too, within the propagation window")
          .contains(successor);
      assertThat(two.activeId()).as("each server rotates only its own signing CA").isEqualTo(twosOwn);
    }
  }

  private byte[] csr() {
    return Csrs.create(KeyType.EC_P256.generate());
  }
}

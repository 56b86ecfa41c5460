package io.trustmesh.server;

import io.trustmesh.api.admin.proto.RotationStatus;
import io.trustmesh.api.admin.proto.SigningCa;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.x509.Serials;
import io.trustmesh.server.ca.SigningAuthority;
import io.trustmesh.server.datastore.AttestedNode;
import io.trustmesh.server.datastore.DataStore;
import io.trustmesh.server.datastore.RegistrationEntry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code trustmesh rotate}: a forced rotation of this server's signing CA (see
 * {@link SigningAuthority#force}) and/or the forced re-issue of every X.509-SVID in the trust domain.
 *
 * <p>The re-issue is a mark in the shared datastore: every SVID whose notBefore is earlier must be
 * re-issued. Agents read it with each sync, from whichever server they talk to, and renew what
 * predates it, their own SVID included. With a CA rotation the mark is set only once the successor
 * signs (a re-issue before that would only get SVIDs from the CA that is being replaced).
 *
 * <pre>{@code
 * RotationStatus s = forced.rotate(true, true, Duration.ofMinutes(1));
 * // ... every tick: forced.tick(); later forced.status().getSvidsReissued()
 * }</pre>
 */
final class ForcedRotation {
  private static final Logger LOG = LoggerFactory.getLogger(ForcedRotation.class);
  static final Duration DEFAULT_PROPAGATION = Duration.ofMinutes(1);
  /** How many pending SVIDs a status lists by name. */
  private static final int PENDING_LISTED = 20;

  private final SigningAuthority authority;
  private final DataStore store;
  private final Clock clock;
  /** The CA whose activation sets the re-issue mark, when {@code --svids} came with {@code --ca}. */
  private volatile String reissueWhenActive;

  ForcedRotation(SigningAuthority authority, DataStore store, Clock clock) {
    this.authority = authority;
    this.store = store;
    this.clock = clock;
  }

  synchronized RotationStatus rotate(boolean ca, boolean svids, Duration propagation, String actor) {
    if (!ca && !svids) {
      throw new IllegalArgumentException("nothing to rotate: ask for the signing CA, the SVIDs, or both");
    }
    if (ca) {
      SigningAuthority.Forced f = authority.force(propagation.isZero() ? DEFAULT_PROPAGATION : propagation);
      if (svids) {
        reissueWhenActive = f.to();
      }
    }
    if (svids) {
      tick(actor);
      if (reissueWhenActive == null) {
        markNow(actor);
      }
    }
    return status();
  }

  /** Sets the re-issue mark once the forced successor signs; runs with every server tick. */
  void tick() {
    tick("server");
  }

  private synchronized void tick(String actor) {
    String waiting = reissueWhenActive;
    if (waiting != null && waiting.equals(authority.activeId())) {
      reissueWhenActive = null;
      markNow(actor);
    }
  }

  /**
   * The mark is a notBefore: the first whole second after now, backdated like every certificate.
   * Every SVID issued before now has an earlier notBefore (certificates carry whole seconds); one
   * issued in the rest of this second is re-issued once more, which is harmless.
   */
  private void markNow(String actor) {
    Instant mark = clock.instant().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1).minus(Issuance.BACKDATE);
    store.raiseSvidsNotBefore(mark, actor);
    LOG.info("forced re-issue: every X.509-SVID with notBefore before {} is re-issued at its agent's next sync",
        mark);
  }

  synchronized RotationStatus status() {
    RotationStatus.Builder b = RotationStatus.newBuilder()
        .setPublication(authority.anchorsRotate() ? "anchors" : "chains")
        .setBundleSequence(authority.bundleSequence())
        .setSvidsPendingActivation(reissueWhenActive != null);
    for (SigningAuthority.CaState s : authority.states()) {
      b.addCas(SigningCa.newBuilder().setId(s.id())
          .setSerial(Serials.hex(s.certificate().getSerialNumber()))
          .setNotAfterEpochSeconds(s.notAfter().getEpochSecond()).setState(s.state())
          .setNextChangeEpochSeconds(s.nextChange() == null ? 0 : s.nextChange().getEpochSecond()));
    }
    authority.forced().ifPresent(f -> b.setRotatedFrom(f.from()).setRotatedTo(f.to()));
    Instant mark = store.svidsNotBefore();
    if (mark.isAfter(Instant.EPOCH)) {
      b.setSvidsNotBeforeEpochSeconds(mark.getEpochSecond());
      Set<Map.Entry<String, String>> expected = expected();
      Set<Map.Entry<String, String>> done = store.issuedSince(mark.plus(Issuance.BACKDATE));
      int reissued = 0;
      for (Map.Entry<String, String> e : expected) {
        if (done.contains(e)) {
          reissued++;
        } else if (b.getSvidsPendingCount() < PENDING_LISTED) {
          b.addSvidsPending(e.getKey() + " " + e.getValue());
        }
      }
      b.setSvidsExpected(expected.size()).setSvidsReissued(reissued);
    }
    return b.build();
  }

  /**
   * (agent, SPIFFE ID) of every SVID a re-issue must reach: each entry's on its agent, and each
   * agent's own, for the agents that are attested, not evicted and hold an unexpired SVID.
   */
  private Set<Map.Entry<String, String>> expected() {
    Instant now = clock.instant();
    Set<Map.Entry<String, String>> out = new LinkedHashSet<>();
    for (RegistrationEntry e : store.listEntries(Optional.empty(), Optional.empty())) {
      Optional<AttestedNode> node = store.attestedNode(e.parentId());
      if (node.isEmpty() || node.get().banned() || !alive(node.get(), now)) {
        continue;
      }
      out.add(Map.entry(e.parentId().toString(), e.parentId().toString()));
      out.add(Map.entry(e.parentId().toString(), e.spiffeId().toString()));
    }
    return out;
  }

  private static boolean alive(AttestedNode n, Instant now) {
    return now.isBefore(n.expiresAt()) || (n.newExpiresAt() != null && now.isBefore(n.newExpiresAt()));
  }
}

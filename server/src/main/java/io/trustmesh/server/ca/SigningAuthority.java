package io.trustmesh.server.ca;

import io.trustmesh.api.jwt.JwtSvids;
import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.server.datastore.CaRecord;
import io.trustmesh.server.datastore.DataStore;
import io.trustmesh.server.keymanager.KeyManager;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's signing CAs and their rotation, driven by {@link #rotate()} reading an injected
 * {@link Clock} (see {@link RotationSchedule}): at most one <em>active</em> CA signs; a
 * <em>prepared</em> successor is already in the bundle; <em>retired</em> predecessors stay in the
 * bundle until the SVIDs they signed have expired.
 *
 * <p>Each signing CA has a JWT-SVID signing key (ES256) of its own, kept by the key manager as
 * {@code ID-jwt}, minted, published, activated and retired with it: the bundle's JWK set holds the
 * keys of every CA in the bundle, and the active CA's key signs. A JWT-SVID never outlives its key's
 * CA, and a retiring CA stays until its last JWT-SVIDs (at most {@link JwtAuthority#DEFAULT_TTL})
 * have expired.
 *
 * <p>Several servers may share one datastore (HA, no leader). A server owns the CAs whose keys its
 * key manager holds, and only those it activates, rotates and retires. The CAs of the other servers
 * (and CAs whose key was lost) are <em>foreign</em>: read from the datastore on every
 * {@link #rotate()}, published in the bundle and JWK set until they expire, never signed with.
 * That makes the bundle the union of every server's CAs, so an agent served by one server trusts
 * SVIDs another signed. Expired foreign rows are deleted by whichever server sees them first.
 */
public final class SigningAuthority {
  private static final Logger LOG = LoggerFactory.getLogger(SigningAuthority.class);
  /** Where versions before per-CA JWT keys kept their one JWT key. */
  private static final String LEGACY_JWT_KEY = "jwt-signing";

  /** A JWT-SVID signing key: its ID in the JWK set, both halves, and the expiry of the CA it belongs to. */
  public record JwtKey(String kid, ECPrivateKey privateKey, ECPublicKey publicKey, Instant notAfter) {
    static JwtKey of(PrivateKey key, Instant notAfter) {
      // Through the JDK key factory: a key read back from PEM may come from another provider.
      ECPrivateKey k = (ECPrivateKey) io.trustmesh.api.grpc.Der.privateKey(
          com.google.protobuf.ByteString.copyFrom(key.getEncoded()));
      ECPublicKey pub = JwtSvids.publicKeyOf(k);
      return new JwtKey(kidOf(pub), k, pub, notAfter);
    }

    /** Never the private key: records print every component, and this one ends up in logs. */
    @Override
    public String toString() {
      return "JwtKey[kid=" + kid + ", privateKey=****, notAfter=" + notAfter + "]";
    }

    static String kidOf(ECPublicKey k) {
      try {
        byte[] h = MessageDigest.getInstance("SHA-256").digest(k.getEncoded());
        return HexFormat.of().formatHex(h, 0, 16);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * One signing CA. {@code ca} is empty when its key is lost (memory key manager after a restart);
   * {@code jwt} when its JWT key is (or it was made by a version without one).
   */
  record Slot(String id, List<X509Certificate> chain, Optional<CertificateAuthority> ca, Instant createdAt,
      Instant notAfter, Instant activatedAt, Optional<JwtKey> jwt) {
    Slot activated(Instant at) {
      return new Slot(id, chain, ca, createdAt, notAfter, at, jwt);
    }

    Slot withJwt(JwtKey key) {
      return new Slot(id, chain, ca, createdAt, notAfter, activatedAt, Optional.of(key));
    }

    X509Certificate certificate() {
      return chain.get(0);
    }
  }

  private final TrustDomain trustDomain;
  private final Upstream upstream;
  private final Duration caTtl;
  private final Duration maxSvidTtl;
  private final KeyManager keys;
  private final DataStore store;
  private final Clock clock;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong sequence = new AtomicLong(1);
  private volatile List<Slot> slots = List.of();
  private volatile List<Foreign> foreign = List.of();
  private volatile Slot active;
  private volatile Forced forced;

  /**
   * A forced rotation ({@code trustmesh rotate --ca}): the CA that was active when it was asked, its
   * successor, and when the successor signs. Kept in memory: a restart before {@code activateAt}
   * leaves the successor published and activated by the schedule instead.
   */
  public record Forced(String from, String to, Instant activateAt) {}

  /** One CA as status output shows it; {@code nextChange} is when it is activated or retired (null: unknown). */
  public record CaState(String id, X509Certificate certificate, String state, Instant notAfter, Instant nextChange) {}

  /** Another server's CA (or one of ours whose key is lost): published, never used to sign. */
  record Foreign(String id, X509Certificate certificate, Instant notAfter, Optional<JwtKeyPublic> jwt) {}

  /** The public half of a foreign CA's JWT key, by key ID. */
  record JwtKeyPublic(String kid, ECPublicKey publicKey) {}

  public SigningAuthority(TrustDomain trustDomain, Upstream upstream, Duration caTtl, Duration maxSvidTtl,
      KeyManager keys, DataStore store, Clock clock) {
    this.trustDomain = trustDomain;
    this.upstream = upstream;
    this.caTtl = caTtl;
    this.maxSvidTtl = maxSvidTtl;
    this.keys = keys;
    this.store = store;
    this.clock = clock;
    List<Slot> loaded = new ArrayList<>();
    for (CaRecord r : store.signingCas()) {
      Optional<PrivateKey> key = keys.get(r.keyId());
      if (key.isEmpty()) {
        continue; // another server's, or lost: see refreshForeign()
      }
      List<X509Certificate> chain = Pem.parseCertificates(r.chainPem().getBytes(StandardCharsets.US_ASCII),
          "signing CA " + r.id());
      Optional<CertificateAuthority> ca = key.map(k -> CertificateAuthority.of(chain, k));
      Optional<JwtKey> jwt = keys.get(jwtKeyId(r.id())).map(k -> JwtKey.of(k, r.notAfter()));
      loaded.add(new Slot(r.id(), chain, ca, r.createdAt(), r.notAfter(), r.activatedAt(), jwt));
    }
    Slot current = loaded.stream().filter(s -> s.activatedAt() != null && s.ca().isPresent())
        .reduce((a, b) -> b).orElse(null);
    if (current != null) {
      // A data directory from before JWT keys rotated gets a key for its active CA, and loses the
      // single long-lived one.
      Slot upgraded = withJwt(current);
      Slot old = current;
      loaded.replaceAll(s -> s == old ? upgraded : s);
      current = upgraded;
      if (keys.get(LEGACY_JWT_KEY).isPresent()) {
        keys.delete(LEGACY_JWT_KEY);
      }
    }
    this.slots = List.copyOf(loaded);
    this.active = current;
    refreshForeign(clock.instant());
  }

  /**
   * Reads the other servers' CAs from the datastore; deletes those that have expired. Returns true
   * when the published set changed.
   */
  private boolean refreshForeign(Instant now) {
    Set<String> own = new HashSet<>();
    for (Slot s : slots) {
      own.add(s.id());
    }
    Map<String, Foreign> known = new LinkedHashMap<>();
    for (Foreign f : foreign) {
      known.put(f.id(), f);
    }
    List<Foreign> next = new ArrayList<>();
    for (CaRecord r : store.signingCas()) {
      if (own.contains(r.id())) {
        continue;
      }
      if (!now.isBefore(r.notAfter())) {
        store.deleteSigningCa(r.id());
        LOG.info("signing CA {} (another server's) expired; removed from the datastore", r.id());
        continue;
      }
      Foreign f = known.get(r.id());
      if (f == null) {
        List<X509Certificate> chain = Pem.parseCertificates(r.chainPem().getBytes(StandardCharsets.US_ASCII),
            "signing CA " + r.id());
        f = new Foreign(r.id(), chain.get(0), r.notAfter(), Optional.ofNullable(r.jwtPublicKey()).map(JwtKeys::decode));
        LOG.info("signing CA {} of another server published in the bundle, expires {}", r.id(), r.notAfter());
      }
      next.add(f);
    }
    boolean changed = !next.stream().map(Foreign::id).toList().equals(foreign.stream().map(Foreign::id).toList());
    foreign = List.copyOf(next);
    return changed;
  }

  /** {@code s}, with a JWT key minted for it if it has none. */
  private Slot withJwt(Slot s) {
    return s.jwt().isPresent() ? s : s.withJwt(mintJwtKey(s.id(), s.notAfter()));
  }

  private static String jwtKeyId(String caId) {
    return caId + "-jwt";
  }

  private JwtKey mintJwtKey(String caId, Instant notAfter) {
    PrivateKey key = KeyType.EC_P256.generate().getPrivate();
    keys.put(jwtKeyId(caId), key);
    return JwtKey.of(key, notAfter);
  }

  public void onBundleChange(Runnable listener) {
    listeners.add(listener);
  }

  /** Applies the schedule at the clock's current time; returns true when the bundle changed. */
  public synchronized boolean rotate() {
    Instant now = clock.instant();
    boolean changed = refreshForeign(now);
    List<Slot> next = new ArrayList<>(slots);
    // Forget prepared CAs whose key is gone; they never signed anything.
    changed |= next.removeIf(s -> s.activatedAt() == null && s.ca().isEmpty());
    Slot current = active;
    if (current == null || !now.isBefore(current.notAfter()) || current.ca().isEmpty()) {
      Slot prepared = preparedIn(next, now);
      Slot fresh = withJwt(prepared != null ? prepared.activated(now) : mint(now).activated(now));
      next.removeIf(s -> s.id().equals(fresh.id()));
      next.add(fresh);
      store.saveSigningCa(record(fresh));
      active = fresh;
      changed = true;
      LOG.info("signing CA {} active until {}", fresh.id(), fresh.notAfter());
    } else {
      Slot prepared = preparedIn(next, now);
      if (prepared == null && !now.isBefore(RotationSchedule.prepareAt(current.createdAt(), current.notAfter()))) {
        Slot fresh = mint(now);
        next.add(fresh);
        store.saveSigningCa(record(fresh));
        changed = true;
        prepared = fresh;
        LOG.info("signing CA {} prepared (published in the bundle), expires {}", fresh.id(), fresh.notAfter());
      }
      Forced f = forced;
      boolean forcedDue = prepared != null && f != null && f.to().equals(prepared.id()) && !now.isBefore(f.activateAt());
      if (prepared != null
          && (forcedDue || !now.isBefore(RotationSchedule.activateAt(current.createdAt(), current.notAfter())))) {
        Slot fresh = withJwt(prepared.activated(now));
        next.replaceAll(s -> s.id().equals(fresh.id()) ? fresh : s);
        store.saveSigningCa(record(fresh));
        active = fresh;
        changed = true;
        LOG.info("signing CA {} activated; {} retires when its SVIDs have expired", fresh.id(), current.id());
      }
    }
    // Retire predecessors once every SVID they signed has expired.
    Slot now_active = active;
    List<Slot> retired = new ArrayList<>();
    for (Slot s : next) {
      if (s == now_active || s.activatedAt() == null) {
        continue;
      }
      if (!now.isBefore(retireAt(s, next))) {
        retired.add(s);
      }
    }
    for (Slot s : retired) {
      next.remove(s);
      store.deleteSigningCa(s.id());
      keys.delete(s.id());
      keys.delete(jwtKeyId(s.id()));
      changed = true;
      LOG.info("signing CA {} retired", s.id());
    }
    slots = List.copyOf(next);
    if (changed) {
      sequence.incrementAndGet();
      listeners.forEach(Runnable::run);
    }
    return changed;
  }

  /**
   * When a CA that signed leaves the bundle: at its expiry, or earlier once every SVID and JWT-SVID
   * it signed has expired (its successor's activation plus the longest life either may have).
   */
  private Instant retireAt(Slot s, List<Slot> all) {
    Instant successorSince = all.stream()
        .filter(o -> o.activatedAt() != null && o.activatedAt().isAfter(s.activatedAt()))
        .map(Slot::activatedAt).min(Instant::compareTo).orElse(null);
    Instant retireAt = s.notAfter();
    Duration longestLeft = maxSvidTtl.compareTo(JwtAuthority.DEFAULT_TTL) > 0 ? maxSvidTtl : JwtAuthority.DEFAULT_TTL;
    if (successorSince != null && successorSince.plus(longestLeft).isBefore(retireAt)) {
      retireAt = successorSince.plus(longestLeft);
    }
    return retireAt;
  }

  /**
   * Forces a rotation of this server's signing CA now ({@code trustmesh rotate --ca}). The successor
   * (the one already prepared, else a new one) is published at once. When it signs depends on what
   * relying parties anchor on:
   *
   * <ul>
   *   <li>self-signed: the bundle lists the signing CAs themselves, so a peer can accept a leaf the
   *       successor signed only once it holds a bundle with the successor in it. The successor is
   *       activated {@code propagation} after it was published: time for every agent to fetch the
   *       bundle (and push it to its workloads), and for the other servers on the datastore to
   *       publish it too.
   *   <li>an upstream CA: the bundle holds the upstream's roots, which do not change, and every SVID
   *       chain carries its signing CA. Nothing new must reach a peer first, so the successor is
   *       activated at once.
   * </ul>
   *
   * The predecessor stays in the bundle until what it signed has expired (see {@link #rotate()}).
   * Asking again while a forced successor waits for its activation returns that one.
   */
  public synchronized Forced force(Duration propagation) {
    if (propagation.isNegative()) {
      throw new IllegalArgumentException("propagation must not be negative: " + propagation);
    }
    rotate();
    Instant now = clock.instant();
    Forced pending = forced;
    if (pending != null && !pending.to().equals(active.id()) && slots.stream().anyMatch(s -> s.id().equals(pending.to()))) {
      return pending;
    }
    List<Slot> next = new ArrayList<>(slots);
    Slot prepared = preparedIn(next, now);
    if (prepared == null) {
      prepared = mint(now);
      next.add(prepared);
      store.saveSigningCa(record(prepared));
      LOG.info("signing CA {} prepared by a forced rotation (published in the bundle), expires {}", prepared.id(),
          prepared.notAfter());
    }
    slots = List.copyOf(next);
    Instant activateAt = upstream.rootsRotate() ? later(prepared.createdAt().plus(propagation), now) : now;
    forced = new Forced(active.id(), prepared.id(), activateAt);
    sequence.incrementAndGet();
    listeners.forEach(Runnable::run);
    LOG.info("forced rotation: signing CA {} replaces {} at {}", prepared.id(), active.id(), activateAt);
    rotate();
    return forced;
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  /** The forced rotation asked last, if any since the start. */
  public Optional<Forced> forced() {
    return Optional.ofNullable(forced);
  }

  /**
   * True when relying parties anchor on the signing CAs themselves (self-signed), false when on an
   * upstream root that does not change.
   */
  public boolean anchorsRotate() {
    return upstream.rootsRotate();
  }

  /** This server's CAs and the foreign ones it publishes, oldest first, with their next change. */
  public synchronized List<CaState> states() {
    List<CaState> out = new ArrayList<>();
    Slot current = active;
    Forced f = forced;
    for (Slot s : slots) {
      if (s == current) {
        out.add(new CaState(s.id(), s.certificate(), "active", s.notAfter(), null));
      } else if (s.activatedAt() == null) {
        Instant at = f != null && f.to().equals(s.id()) ? f.activateAt()
            : current == null ? null : RotationSchedule.activateAt(current.createdAt(), current.notAfter());
        out.add(new CaState(s.id(), s.certificate(), "prepared", s.notAfter(), at));
      } else {
        out.add(new CaState(s.id(), s.certificate(), "retiring", s.notAfter(), retireAt(s, slots)));
      }
    }
    for (Foreign x : foreign) {
      out.add(new CaState(x.id(), x.certificate(), "foreign", x.notAfter(), null));
    }
    return out;
  }

  private static Slot preparedIn(List<Slot> slots, Instant now) {
    return slots.stream().filter(s -> s.activatedAt() == null && s.ca().isPresent() && now.isBefore(s.notAfter()))
        .findFirst().orElse(null);
  }

  private Slot mint(Instant now) {
    String id = "ca-" + UUID.randomUUID();
    // The subject carries the ID's first 8 hex digits: readable in a bundle, and within the 64
    // characters a CN may have.
    IssuedCertificate issued = upstream.mint(trustDomain, id.substring(0, 11), caTtl, clock);
    PrivateKey key = issued.keyPair().orElseThrow().getPrivate();
    keys.put(id, key);
    CertificateAuthority ca = CertificateAuthority.of(issued.chain(), key);
    if (issued.clamped()) {
      LOG.warn("signing CA {} is cut to the upstream's expiry {}", id, issued.certificate().getNotAfter().toInstant());
    }
    Instant notAfter = issued.certificate().getNotAfter().toInstant();
    return new Slot(id, issued.chain(), Optional.of(ca), now, notAfter, null, Optional.of(mintJwtKey(id, notAfter)));
  }

  private static CaRecord record(Slot s) {
    return new CaRecord(s.id(), new String(Pem.encodeCertificates(s.chain()), StandardCharsets.US_ASCII), s.id(),
        s.notAfter(), s.createdAt(), s.activatedAt(), s.jwt().map(k -> JwtKeys.encode(k.publicKey())).orElse(null));
  }

  /** The ID of the CA that signs now; {@link #rotate()} must have run once. */
  public String activeId() {
    Slot s = active;
    if (s == null) {
      throw new IllegalStateException("no active signing CA yet");
    }
    return s.id();
  }

  /** The CA that signs now; {@link #rotate()} must have run once. */
  public CertificateAuthority active() {
    Slot s = active;
    if (s == null) {
      throw new IllegalStateException("no active signing CA yet");
    }
    return s.ca().orElseThrow();
  }

  public Instant activeNotAfter() {
    return active == null ? Instant.EPOCH : active.notAfter();
  }

  /** The X.509 authorities relying parties must trust now. */
  public List<X509Certificate> bundle() {
    LinkedHashSet<X509Certificate> out = new LinkedHashSet<>(upstream.fixedRoots());
    if (upstream.rootsRotate()) {
      for (Slot s : slots) {
        out.add(s.certificate());
      }
      for (Foreign f : foreign) {
        out.add(f.certificate());
      }
    }
    return List.copyOf(out);
  }

  /** The key that signs JWT-SVIDs now: the active CA's. */
  public JwtKey activeJwtKey() {
    Slot s = active;
    if (s == null || s.jwt().isEmpty()) {
      throw new IllegalStateException("no active JWT signing key yet");
    }
    return s.jwt().get();
  }

  /** The JWT authorities relying parties must trust now, by key ID: every CA's in the bundle. */
  public Map<String, ECPublicKey> jwtAuthorities() {
    Map<String, ECPublicKey> out = new LinkedHashMap<>();
    for (Slot s : slots) {
      s.jwt().ifPresent(k -> out.put(k.kid(), k.publicKey()));
    }
    for (Foreign f : foreign) {
      f.jwt().ifPresent(k -> out.put(k.kid(), k.publicKey()));
    }
    return out;
  }

  public long bundleSequence() {
    return sequence.get();
  }

  public TrustDomain trustDomain() {
    return trustDomain;
  }

  public Duration caTtl() {
    return caTtl;
  }

  /** A summary per CA for status output: id, state, expiry. */
  public List<String> describe() {
    List<String> out = new ArrayList<>();
    for (Slot s : slots) {
      String state = s == active ? "active" : s.activatedAt() == null ? "prepared" : "retiring";
      out.add(s.id() + " " + state + " until " + s.notAfter());
    }
    for (Foreign f : foreign) {
      out.add(f.id() + " published (another server's) until " + f.notAfter());
    }
    return out;
  }
}

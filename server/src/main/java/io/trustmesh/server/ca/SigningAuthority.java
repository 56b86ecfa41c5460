package io.trustmesh.server.ca;

import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.server.datastore.CaRecord;
import io.trustmesh.server.datastore.DataStore;
import io.trustmesh.server.keymanager.KeyManager;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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
 */
public final class SigningAuthority {
  private static final Logger LOG = LoggerFactory.getLogger(SigningAuthority.class);

  /** One signing CA. {@code ca} is empty when its key is lost (memory key manager after a restart). */
  record Slot(String id, List<X509Certificate> chain, Optional<CertificateAuthority> ca, Instant createdAt,
      Instant notAfter, Instant activatedAt) {
    Slot activated(Instant at) {
      return new Slot(id, chain, ca, createdAt, notAfter, at);
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
  private volatile Slot active;

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
      List<X509Certificate> chain = Pem.parseCertificates(r.chainPem().getBytes(StandardCharsets.US_ASCII),
          "signing CA " + r.id());
      Optional<PrivateKey> key = keys.get(r.keyId());
      Optional<CertificateAuthority> ca = key.map(k -> CertificateAuthority.of(chain, k));
      loaded.add(new Slot(r.id(), chain, ca, r.createdAt(), r.notAfter(), r.activatedAt()));
    }
    this.slots = List.copyOf(loaded);
    this.active = loaded.stream().filter(s -> s.activatedAt() != null && s.ca().isPresent())
        .reduce((a, b) -> b).orElse(null);
  }

  public void onBundleChange(Runnable listener) {
    listeners.add(listener);
  }

  /** Applies the schedule at the clock's current time; returns true when the bundle changed. */
  public synchronized boolean rotate() {
    Instant now = clock.instant();
    boolean changed = false;
    List<Slot> next = new ArrayList<>(slots);
    // Forget prepared CAs whose key is gone; they never signed anything.
    changed |= next.removeIf(s -> s.activatedAt() == null && s.ca().isEmpty());
    Slot current = active;
    if (current == null || !now.isBefore(current.notAfter()) || current.ca().isEmpty()) {
      Slot prepared = preparedIn(next, now);
      Slot fresh = prepared != null ? prepared.activated(now) : mint(now).activated(now);
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
      if (prepared != null && !now.isBefore(RotationSchedule.activateAt(current.createdAt(), current.notAfter()))) {
        Slot fresh = prepared.activated(now);
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
      Instant successorSince = next.stream()
          .filter(o -> o.activatedAt() != null && o.activatedAt().isAfter(s.activatedAt()))
          .map(Slot::activatedAt).min(Instant::compareTo).orElse(null);
      Instant retireAt = s.notAfter();
      if (successorSince != null && successorSince.plus(maxSvidTtl).isBefore(retireAt)) {
        retireAt = successorSince.plus(maxSvidTtl);
      }
      if (!now.isBefore(retireAt)) {
        retired.add(s);
      }
    }
    for (Slot s : retired) {
      next.remove(s);
      store.deleteSigningCa(s.id());
      keys.delete(s.id());
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
    return new Slot(id, issued.chain(), Optional.of(ca), now, issued.certificate().getNotAfter().toInstant(), null);
  }

  private static CaRecord record(Slot s) {
    return new CaRecord(s.id(), new String(Pem.encodeCertificates(s.chain()), StandardCharsets.US_ASCII), s.id(),
        s.notAfter(), s.createdAt(), s.activatedAt());
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
    }
    return List.copyOf(out);
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
    return out;
  }
}

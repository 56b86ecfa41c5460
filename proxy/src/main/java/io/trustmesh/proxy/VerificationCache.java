package io.trustmesh.proxy;

import io.trustmesh.core.verify.Verification;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Remembers that a chain verified, so that the next handshake presenting the same bytes skips path
 * building and the chain's signature checks (issue 14 item 1: two ECDSA verifications and the
 * X.509-SVID checks per handshake). What it may never do is admit what a fresh verification would
 * refuse now, so:
 *
 * <ul>
 *   <li>the key is the SHA-256 of the presented chain's DER bytes, within a {@link Scope}: one
 *       listener's trust (its bundle set and the role checked) in one identity snapshot. Another
 *       listener, another role, or the next snapshot never sees an entry;
 *   <li>a newer bundle version empties the cache: nothing verified against a bundle that rotated
 *       out is kept;
 *   <li>an entry serves only while the current time is inside every validity period on the
 *       verified path (leaf, intermediates and trust anchor): from the leaf's notAfter on, the
 *       chain is verified afresh and refused as expired;
 *   <li>only valid results are kept; a refusal is always decided afresh.
 * </ul>
 *
 * <p>The TLS library still checks the peer's CertificateVerify signature on every full handshake:
 * a cached chain proves nothing about who presents it. The authorizer (allow policy) is not cached
 * either. Bounded to {@value #MAX_ENTRIES} chains, least recently used first out.
 */
final class VerificationCache {
  static final int MAX_ENTRIES = 1024;

  /** One digest per event-loop thread: looking SHA-256 up among the JCA providers cost more than hashing a chain. */
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is a mandatory JCA algorithm", e);
    }
  });

  /** One listener's trust in one snapshot; compared by identity. */
  static final class Scope {
    private final VerificationCache cache;
    private final long bundleVersion;

    private Scope(VerificationCache cache, long bundleVersion) {
      this.cache = cache;
      this.bundleVersion = bundleVersion;
    }

    /** The cached verdict on {@code chain} at {@code now}, or {@code verifier}'s, remembered when valid. */
    Verification verify(X509Certificate[] chain, Instant now, Function<X509Certificate[], Verification> verifier) {
      return cache.verify(this, chain, now, verifier);
    }
  }

  private record Key(Scope scope, ByteBuffer chainDigest) {}

  private record Entry(Verification verification, Instant notBefore, Instant notAfter) {}

  private final boolean enabled;
  private final Map<Key, Entry> entries = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
      return size() > MAX_ENTRIES;
    }
  };
  private long newestVersion;
  private long hits;

  private VerificationCache(boolean enabled) {
    this.enabled = enabled;
  }

  static VerificationCache create() {
    return new VerificationCache(true);
  }

  /** Verifies every chain afresh (to compare, and for tests of the verifier itself). */
  static VerificationCache disabled() {
    return new VerificationCache(false);
  }

  /** A scope for one listener's check in the snapshot with this bundle version; a newer version empties the cache. */
  synchronized Scope scope(long bundleVersion) {
    if (bundleVersion > newestVersion) {
      newestVersion = bundleVersion;
      entries.clear();
    }
    return new Scope(this, bundleVersion);
  }

  private Verification verify(Scope scope, X509Certificate[] chain, Instant now,
      Function<X509Certificate[], Verification> verifier) {
    if (!enabled) {
      return verifier.apply(chain);
    }
    Key key = new Key(scope, digest(chain));
    if (key.chainDigest() != null) {
      synchronized (this) {
        Entry e = entries.get(key);
        if (e != null && !now.isBefore(e.notBefore()) && now.isBefore(e.notAfter())) {
          hits++;
          return e.verification();
        }
      }
    }
    Verification v = verifier.apply(chain);
    if (v.isValid() && key.chainDigest() != null && !v.path().isEmpty()) {
      Instant notBefore = Instant.MIN;
      Instant notAfter = Instant.MAX;
      for (X509Certificate c : v.path()) {
        Instant nb = c.getNotBefore().toInstant();
        Instant na = c.getNotAfter().toInstant();
        notBefore = nb.isAfter(notBefore) ? nb : notBefore;
        notAfter = na.isBefore(notAfter) ? na : notAfter;
      }
      synchronized (this) {
        if (scope.bundleVersion == newestVersion) {
          entries.put(key, new Entry(v, notBefore, notAfter));
        }
      }
    }
    return v;
  }

  /** SHA-256 over the chain's DER, each certificate length-prefixed; null when a certificate cannot be encoded. */
  private static ByteBuffer digest(X509Certificate[] chain) {
    try {
      MessageDigest md = SHA256.get();
      md.reset(); // a chain that failed to encode half-way left its bytes in it
      for (X509Certificate c : chain) {
        byte[] der = c.getEncoded();
        md.update(ByteBuffer.allocate(4).putInt(der.length).array());
        md.update(der);
      }
      return ByteBuffer.wrap(md.digest());
    } catch (CertificateEncodingException e) {
      return null;
    }
  }

  /** Chains served from the cache so far. */
  synchronized long hits() {
    return hits;
  }

  synchronized int size() {
    return entries.size();
  }
}

package io.trustmesh.proxy;

import io.trustmesh.core.verify.Usage;
import io.trustmesh.core.verify.Verification;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.function.Function;

/** Chain verification results; this version keeps none. */
final class VerificationCache {
  static final VerificationCache NONE = new VerificationCache();

  Verification verify(X509Certificate[] chain, long bundleVersion, Usage usage, Instant now,
      Function<X509Certificate[], Verification> verifier) {
    return verifier.apply(chain);
  }
}

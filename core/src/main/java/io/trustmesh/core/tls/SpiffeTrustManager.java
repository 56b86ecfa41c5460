package io.trustmesh.core.tls;

import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.verify.Usage;
import io.trustmesh.core.verify.Verification;
import io.trustmesh.core.verify.VerifyOptions;
import io.trustmesh.core.verify.X509Verifier;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A JSSE trust manager that decides with {@link X509Verifier} under the X.509-SVID rules: the peer's
 * chain is validated against the bundle of its own trust domain, then its SPIFFE ID is put to the
 * {@link Authorizer}. Refusals carry the verifier's one-line reason in the exception message, so
 * whoever logs the failed handshake can say why.
 *
 * <p>Bundles come from a supplier, so a reload is seen by the next handshake without rebuilding
 * anything.
 */
public final class SpiffeTrustManager extends X509ExtendedTrustManager {
  /** Decides, after authentication, whether a peer's SPIFFE ID is allowed. */
  @FunctionalInterface
  public interface Authorizer {
    /** Returns null to allow, or the reason for refusing. */
    String refuse(SpiffeId peer);

    static Authorizer allowAny() {
      return peer -> null;
    }

    static Authorizer exactly(SpiffeId expected) {
      return peer -> peer.equals(expected) ? null
          : "SPIFFE ID mismatch: got " + peer + " expected " + expected;
    }
  }

  /** Thrown on refusal; carries the verdict for logs and metrics. */
  public static final class PeerRefusedException extends CertificateException {
    private static final long serialVersionUID = 1L;
    private final transient Verification verification;

    PeerRefusedException(String reason, Verification verification) {
      super(reason);
      this.verification = verification;
    }

    /** The verifier's verdict; valid when the chain was fine and authorization refused it. */
    public Verification verification() {
      return verification;
    }
  }

  private final Supplier<X509BundleSet> bundles;
  private final Authorizer authorizer;
  private final Clock clock;
  private final Function<VerifyOptions, VerifyOptions> customizer;

  public SpiffeTrustManager(Supplier<X509BundleSet> bundles, Authorizer authorizer, Clock clock) {
    this(bundles, authorizer, clock, Function.identity());
  }

  public SpiffeTrustManager(Supplier<X509BundleSet> bundles, Authorizer authorizer, Clock clock,
      Function<VerifyOptions, VerifyOptions> customizer) {
    this.bundles = bundles;
    this.authorizer = authorizer;
    this.clock = clock;
    this.customizer = customizer;
  }

  /** Verifies a peer chain (leaf first) in the given role; returns the verdict. */
  public Verification verify(X509Certificate[] chain, Usage usage) {
    List<X509Certificate> all = Arrays.asList(chain);
    VerifyOptions options = VerifyOptions.spiffe(bundles.get())
        .intermediates(all.subList(1, all.size()))
        .usage(usage)
        .at(clock.instant());
    return X509Verifier.verify(chain[0], customizer.apply(options));
  }

  private void check(X509Certificate[] chain, Usage usage) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new PeerRefusedException("peer presented no certificate", null);
    }
    Verification v = verify(chain, usage);
    if (!v.isValid()) {
      throw new PeerRefusedException(v.reason(), v);
    }
    String refusal = authorizer.refuse(v.spiffeId().orElseThrow());
    if (refusal != null) {
      throw new PeerRefusedException(refusal, v);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, Usage.CLIENT);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, Usage.SERVER);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, Usage.CLIENT);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, Usage.SERVER);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, Usage.CLIENT);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, Usage.SERVER);
  }

  /** The CA names to send in CertificateRequest: the roots of every bundle. */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return bundles.get().bundles().stream()
        .flatMap(b -> b.authorities().stream())
        .toArray(X509Certificate[]::new);
  }
}

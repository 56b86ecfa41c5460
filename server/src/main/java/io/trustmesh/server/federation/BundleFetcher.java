package io.trustmesh.server.federation;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.tls.SpiffeTrustManager;
import io.trustmesh.core.tls.TlsDefaults;
import io.trustmesh.server.datastore.FederationRelationship;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;

/**
 * Fetches a foreign trust domain's bundle from its SPIFFE bundle endpoint. {@code https_spiffe}:
 * the endpoint must present an X.509-SVID with exactly the relationship's endpoint SPIFFE ID,
 * verified against the foreign domain's last good bundle (never our own, never the JVM's CAs); the
 * host name is not checked, as the spec says. {@code https_web}: the JVM's trusted CAs and the
 * ordinary host name check.
 */
public final class BundleFetcher {
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  private final Clock clock;

  public BundleFetcher(Clock clock) {
    this.clock = clock;
  }

  /** The endpoint's current bundle, parsed; throws with the reason on any failure. */
  public SpiffeBundle fetch(FederationRelationship f) throws IOException {
    HttpURLConnection raw = (HttpURLConnection) f.bundleEndpointUrl().toURL().openConnection();
    if (!(raw instanceof HttpsURLConnection https)) {
      throw new BadInputException("not an https URL: " + f.bundleEndpointUrl());
    }
    if (f.profile() == FederationRelationship.Profile.HTTPS_SPIFFE) {
      SpiffeBundle last = SpiffeBundle.parse(f.trustDomain(), f.bundleJson());
      X509BundleSet anchors = X509BundleSet.of(new X509Bundle(f.trustDomain(), last.x509Authorities()));
      SpiffeTrustManager tm = new SpiffeTrustManager(() -> anchors,
          peer -> peer.equals(f.endpointId()) ? null
              : "bundle endpoint presented " + peer + ", expected " + f.endpointId(), clock);
      https.setSSLSocketFactory(context(tm).getSocketFactory());
      https.setHostnameVerifier((host, session) -> true);
    } else {
      try {
        SSLContext web = SSLContext.getInstance("TLS");
        web.init(null, null, null);
        https.setSSLSocketFactory(web.getSocketFactory());
      } catch (GeneralSecurityException e) {
        throw new IOException(e);
      }
    }
    https.setConnectTimeout((int) TIMEOUT.toMillis());
    https.setReadTimeout((int) TIMEOUT.toMillis());
    https.setInstanceFollowRedirects(false);
    try {
      int code = https.getResponseCode();
      if (code != 200) {
        throw new IOException("bundle endpoint answered HTTP " + code);
      }
      try (InputStream in = https.getInputStream()) {
        byte[] body = in.readNBytes(SpiffeBundle.MAX_BYTES + 1);
        return SpiffeBundle.parse(f.trustDomain(), new String(body, StandardCharsets.UTF_8));
      }
    } finally {
      https.disconnect();
    }
  }

  private static SSLContext context(TrustManager tm) throws IOException {
    try {
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, new TrustManager[] {tm}, null);
      SSLParameters p = ssl.getDefaultSSLParameters();
      p.setProtocols(TlsDefaults.PROTOCOLS.toArray(new String[0]));
      return ssl;
    } catch (GeneralSecurityException e) {
      throw new IOException(e);
    }
  }
}

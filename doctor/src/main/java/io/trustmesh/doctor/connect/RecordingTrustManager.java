package io.trustmesh.doctor.connect;

import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Records the server's chain and lets the handshake go on, so that one probe learns everything
 * that comes after it too (does the server want a client certificate, does it accept ours). Doctor
 * judges the recorded chain afterwards with core's verifier and never sends application data, so
 * accepting here trusts the server with nothing: it only sees our (public) certificate and a
 * signature bound to this very handshake.
 */
final class RecordingTrustManager extends X509ExtendedTrustManager {
  private volatile List<X509Certificate> chain = List.of();
  private volatile String suite;

  List<X509Certificate> serverChain() {
    return chain;
  }

  /**
   * The cipher suite the server chose, known once its certificate arrives: a TLS 1.2 server that
   * then refuses us for want of a client certificate has still shown which suite it accepts.
   */
  Optional<String> negotiatedSuite() {
    return Optional.ofNullable(suite);
  }

  private void record(X509Certificate[] presented) {
    chain = presented == null ? List.of() : List.copyOf(Arrays.asList(presented));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] presented, String authType, SSLEngine engine) {
    record(presented);
    SSLSession handshake = engine.getHandshakeSession();
    if (handshake != null) {
      suite = handshake.getCipherSuite();
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] presented, String authType, Socket socket) {
    record(presented);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] presented, String authType) {
    record(presented);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] presented, String authType, SSLEngine engine) {
    throw new UnsupportedOperationException("doctor is a client");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] presented, String authType, Socket socket) {
    throw new UnsupportedOperationException("doctor is a client");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] presented, String authType) {
    throw new UnsupportedOperationException("doctor is a client");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}

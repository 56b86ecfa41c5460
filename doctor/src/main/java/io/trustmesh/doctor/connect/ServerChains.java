package io.trustmesh.doctor.connect;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The certificate chain a TLS server presents, for {@code expiry scan HOST:PORT}. */
public final class ServerChains {
  private ServerChains() {}

  /**
   * Handshakes (without a client identity, with every version and suite the JDK has, so that an
   * old server still shows its chain) and returns what the server sent.
   *
   * @throws IllegalStateException naming why no chain was received
   */
  public static List<X509Certificate> fetch(String host, int port, Duration timeout) {
    HandshakeProbe.Settings s = new HandshakeProbe.Settings(ConnectRequest.ALL_VERSIONS, ConnectDoctor.jdkSuites(),
        Optional.empty(), Optional.empty(), timeout, Optional.empty());
    ProbeResult r = new HandshakeProbe(new InetSocketAddress(host, port), host, s).run();
    if (!r.serverCertificateSeen()) {
      throw new IllegalStateException("no certificate from " + host + ":" + port + ": " + r.detail());
    }
    return r.serverChain();
  }
}

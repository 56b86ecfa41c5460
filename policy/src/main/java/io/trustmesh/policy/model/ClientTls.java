package io.trustmesh.policy.model;

import io.trustmesh.policy.source.SourceLocation;

/**
 * A DestinationRule's TLS settings (top level or for one port). {@code credentialName} stands for
 * certificate, key and CA read from a Kubernetes secret, so it counts as all three.
 */
public record ClientTls(
    ClientTlsMode mode,
    boolean caCertificates,
    boolean clientCertificate,
    boolean privateKey,
    boolean credentialName,
    boolean insecureSkipVerify,
    SourceLocation location) {

  public static ClientTls of(ClientTlsMode mode) {
    return new ClientTls(mode, false, false, false, false, false, SourceLocation.none());
  }

  public boolean verifiesServer() {
    return !insecureSkipVerify && (caCertificates || credentialName);
  }

  public boolean presentsClientCertificate() {
    return credentialName || (clientCertificate && privateKey);
  }
}

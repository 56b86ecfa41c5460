package io.trustmesh.proxy;

import java.security.cert.X509Certificate;

/**
 * Authenticates, then authorizes, the certificate chain a peer presents (leaf first), at the
 * current time: the one decision behind both a full handshake (called from the TLS library's
 * certificate callback) and a resumed session (called by {@link AuthorizeStage} with the chain the
 * session remembers).
 */
@FunctionalInterface
interface PeerCheck {
  PeerVerdict check(X509Certificate[] chain);
}

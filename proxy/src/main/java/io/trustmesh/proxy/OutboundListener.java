package io.trustmesh.proxy;

import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * One outbound upstream: a local plaintext listener whose connections are carried to {@code targetHost}
 * over TLS (per {@code tls}). The listener lends this workload's identity to whoever connects, so it
 * is either loopback TCP (any local user can connect) or, better, a unix socket created 0600 in a
 * directory only this user can write (only this user can connect).
 *
 * <p>The server is checked by exactly one of: {@code expectId} (its SPIFFE ID), {@code
 * expectTrustDomain} (any SPIFFE ID in that trust domain), or {@code serverName} (a DNS name in
 * its certificate, for a partner outside SPIFFE, verified against {@code caBundle}).
 */
public record OutboundListener(String name, SocketAddress listen, String targetHost, int targetPort,
    OutboundTls tls, Optional<SpiffeId> expectId, Optional<TrustDomain> expectTrustDomain,
    Optional<String> serverName, List<X509Certificate> caBundle) {
  public OutboundListener {
    caBundle = List.copyOf(caBundle);
    if (listen instanceof InetSocketAddress inet && !inet.getAddress().isLoopbackAddress()) {
      throw new io.trustmesh.core.BadInputException("outbound " + name + ": listen address " + listen
          + " is not loopback; an outbound listener lends this workload's identity to whoever connects");
    }
    int checks = (expectId.isPresent() ? 1 : 0) + (expectTrustDomain.isPresent() ? 1 : 0)
        + (serverName.isPresent() ? 1 : 0);
    if (tls != OutboundTls.DISABLE && checks != 1) {
      throw new io.trustmesh.core.BadInputException("outbound " + name + ": give exactly one of expect-id, "
          + "expect-trust-domain or server-name (got " + checks + ")");
    }
    if (tls == OutboundTls.SIMPLE && serverName.isEmpty()) {
      throw new io.trustmesh.core.BadInputException("outbound " + name
          + ": tls simple checks the server by DNS name; give server-name");
    }
    if (serverName.isPresent() && tls != OutboundTls.DISABLE && caBundle.isEmpty()) {
      throw new io.trustmesh.core.BadInputException("outbound " + name
          + ": server-name needs a CA bundle (ca-bundle) to verify the server against");
    }
  }
}

package io.trustmesh.policy.resolve;

import io.trustmesh.policy.model.ClientTls;
import io.trustmesh.policy.model.DestinationRule;
import java.util.Optional;

/**
 * What a client sends to one service port: the DestinationRule's TLS mode for that port, or
 * {@code AUTO} (auto mTLS: mTLS to a sidecar that accepts it, plaintext otherwise), or
 * {@code DISABLE} when nothing applies and auto mTLS is off, or {@code PLAINTEXT} when the client
 * has no sidecar at all. {@code sendsMtls} is what actually goes on the wire.
 */
public record ClientDecision(String mode, Optional<DestinationRule> rule, Optional<ClientTls> tls, boolean sendsMtls) {
  public static final String AUTO = "AUTO";
  public static final String NO_SIDECAR = "PLAINTEXT";
}

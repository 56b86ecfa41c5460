package io.trustmesh.policy.resolve;

import io.trustmesh.policy.model.PeerAuthentication;
import io.trustmesh.policy.model.Service;
import io.trustmesh.policy.model.ServicePort;
import java.util.Optional;

/**
 * One client namespace → service port, as {@code istioctl authn tls-check} printed it: the
 * server's mode, the client's TLS, the status (OK, CONFLICT or AUTO) and why.
 */
public record PairOutcome(
    String clientNamespace,
    Dataplane clientDataplane,
    Service service,
    ServicePort port,
    ServerMode server,
    Optional<PeerAuthentication> authnPolicy,
    ClientDecision client,
    Status status,
    String why) {

  public enum Status {
    OK,
    CONFLICT,
    AUTO
  }
}

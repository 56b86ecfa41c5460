package io.trustmesh.policy.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Istio's {@code DestinationRule}, reduced to what decides client TLS: the host it names (as
 * written; short names are resolved against the rule's namespace when matching), where it is
 * exported, its top-level TLS and per-port TLS (keyed by the Service port number).
 */
public record DestinationRule(
    ObjectRef ref,
    String host,
    List<String> exportTo,
    Optional<ClientTls> tls,
    Map<Integer, ClientTls> portTls,
    boolean workloadSelector,
    Optional<Instant> created) {

  public DestinationRule {
    exportTo = List.copyOf(exportTo);
    portTls = Map.copyOf(portTls);
  }

  /** TLS for a service port: the port-level setting if any, else the top-level one. */
  public Optional<ClientTls> tlsFor(int servicePort) {
    ClientTls p = portTls.get(servicePort);
    return p != null ? Optional.of(p) : tls;
  }
}

package io.trustmesh.policy.resolve;

import io.trustmesh.policy.model.ClientTls;
import io.trustmesh.policy.model.ClientTlsMode;
import io.trustmesh.policy.model.DestinationRule;
import io.trustmesh.policy.model.PeerAuthentication;
import io.trustmesh.policy.model.Service;
import io.trustmesh.policy.model.ServicePort;
import io.trustmesh.policy.model.Workload;
import java.util.List;
import java.util.Optional;

/**
 * Client meets server. The server side of a service port is the mode of the container port it
 * lands on (the first backend decides; backends that disagree are reported by a rule). The client
 * side is {@link DestinationRuleResolver}'s rule, else auto mTLS. Conflict, as tls-check had it:
 * STRICT server and a client that does not send Istio mTLS; ISTIO_MUTUAL toward a port that is
 * DISABLE or has no sidecar.
 */
public final class TlsPairResolver {
  private final WorkloadPorts ports;
  private final ServicePorts services;
  private final DestinationRuleResolver rules;
  private final boolean autoMtls;

  public TlsPairResolver(WorkloadPorts ports, ServicePorts services, DestinationRuleResolver rules, boolean autoMtls) {
    this.ports = ports;
    this.services = services;
    this.rules = rules;
    this.autoMtls = autoMtls;
  }

  public PairOutcome resolve(String clientNamespace, Dataplane clientDataplane, Service service, ServicePort port) {
    List<Workload> backends = services.backends(service);
    ServerMode server = ServerMode.NO_PROXY;
    Optional<PeerAuthentication> authn = Optional.empty();
    boolean serverIstio = false;
    if (!backends.isEmpty()) {
      Workload w = backends.get(0);
      Optional<Integer> target = ServicePorts.targetPort(port, w);
      Optional<PortDecision> d = target.flatMap(t -> ports.decision(w, t));
      server = d.map(PortDecision::mode).orElse(ports.defaultMode(w));
      serverIstio = d.map(x -> x.dataplane().istio()).orElse(false);
      authn = ports.istioPolicy(w).flatMap(p -> p.override(target.orElse(-1)).isPresent() ? p.workload() : p.modeFrom());
    }
    ClientDecision client = client(clientNamespace, clientDataplane, service, port, server, serverIstio);
    return outcome(clientNamespace, clientDataplane, service, port, server, authn, client);
  }

  private ClientDecision client(String clientNamespace, Dataplane clientDataplane, Service service, ServicePort port,
      ServerMode server, boolean serverIstio) {
    if (!clientDataplane.istio()) {
      return new ClientDecision(ClientDecision.NO_SIDECAR, Optional.empty(), Optional.empty(), false);
    }
    Optional<DestinationRule> rule = rules.forService(Optional.empty(), clientNamespace, service);
    Optional<ClientTls> tls = rule.flatMap(r -> r.tlsFor(port.port()));
    if (tls.isPresent()) {
      ClientTlsMode m = tls.get().mode();
      return new ClientDecision(m.name(), rule, tls, m == ClientTlsMode.ISTIO_MUTUAL);
    }
    if (autoMtls) {
      return new ClientDecision(ClientDecision.AUTO, rule, Optional.empty(), serverIstio && server.acceptsMtls());
    }
    return new ClientDecision(ClientTlsMode.DISABLE.name(), rule, Optional.empty(), false);
  }

  private static PairOutcome outcome(String ns, Dataplane dp, Service service, ServicePort port, ServerMode server,
      Optional<PeerAuthentication> authn, ClientDecision client) {
    PairOutcome.Status status = PairOutcome.Status.OK;
    String why = "";
    if (server == ServerMode.STRICT && !client.sendsMtls()) {
      status = PairOutcome.Status.CONFLICT;
      why = client.mode().equals(ClientDecision.NO_SIDECAR) ? "client has no sidecar and sends plaintext to a STRICT port"
          : "client " + client.mode() + " does not send Istio mTLS to a STRICT port";
    } else if (client.mode().equals(ClientTlsMode.ISTIO_MUTUAL.name()) && !server.acceptsMtls()) {
      status = PairOutcome.Status.CONFLICT;
      why = "ISTIO_MUTUAL toward a port that " + (server == ServerMode.DISABLE ? "is DISABLE" : "has no sidecar")
          + " (handshake fails)";
    } else if (server == ServerMode.DENY) {
      status = PairOutcome.Status.CONFLICT;
      why = "the server denies every client on this port";
    } else if (client.mode().equals(ClientDecision.AUTO)) {
      status = PairOutcome.Status.AUTO;
      why = client.sendsMtls() ? "auto mTLS sends Istio mTLS" : "auto mTLS sends plaintext";
    }
    return new PairOutcome(ns, dp, service, port, server, authn, client, status, why);
  }
}

package io.trustmesh.mesh.run;

import io.trustmesh.api.workload.WorkloadApiException;
import io.trustmesh.api.workload.WorkloadApiX509Source;
import io.trustmesh.api.x509.X509Source;
import io.trustmesh.core.BadInputException;
import io.trustmesh.mesh.run.LocalPlan.InboundPort;
import io.trustmesh.mesh.run.LocalPlan.OutboundPort;
import io.trustmesh.mesh.run.LocalPlan.ServicePlan;
import io.trustmesh.mesh.state.MeshState;
import io.trustmesh.policy.meshfile.AllowRule;
import io.trustmesh.policy.meshfile.MeshService;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.proxy.Addresses;
import io.trustmesh.proxy.AllowPolicy;
import io.trustmesh.proxy.InboundListener;
import io.trustmesh.proxy.InboundMode;
import io.trustmesh.proxy.Limits;
import io.trustmesh.proxy.OutboundListener;
import io.trustmesh.proxy.OutboundTls;
import io.trustmesh.proxy.Sidecar;
import io.trustmesh.proxy.SidecarConfig;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One service's sidecars, in the supervising JVM: an inbound sidecar with a listener per port (its
 * mode and the service's allow list) and an outbound sidecar with a listener per upstream, both
 * presenting the service's own SVID, picked by SPIFFE ID from the agent's Workload API. Each has its
 * own admin endpoint and access log ({@code logs/NAME.inbound.jsonl}, {@code logs/NAME.outbound.jsonl}),
 * exactly as separate {@code trustmesh proxy} processes would (mesh/README.md says why one JVM).
 */
final class ServiceSidecars implements AutoCloseable {
  static final Duration SVID_TIMEOUT = Duration.ofSeconds(30);

  private final X509Source source;
  private final List<Sidecar> sidecars;
  private final List<MeshState.Sidecar> state;

  private ServiceSidecars(X509Source source, List<Sidecar> sidecars, List<MeshState.Sidecar> state) {
    this.source = source;
    this.sidecars = sidecars;
    this.state = state;
  }

  static ServiceSidecars start(ServicePlan plan, String workloadApi, Path logs, ServiceSockets sockets, Clock clock) {
    MeshService svc = plan.service();
    X509Source source;
    try {
      source = WorkloadApiX509Source.connect(workloadApi, Optional.of(svc.spiffeId()), SVID_TIMEOUT,
          msg -> { });
    } catch (WorkloadApiException e) {
      throw new BadInputException(svc.name() + ": " + e.getMessage());
    }
    List<Sidecar> started = new ArrayList<>();
    List<MeshState.Sidecar> state = new ArrayList<>();
    try {
      if (!plan.inbound().isEmpty()) {
        Path log = logs.resolve(svc.name() + ".inbound.jsonl");
        AllowPolicy allow = allow(svc);
        List<InboundListener> listeners = plan.inbound().stream().map(p -> new InboundListener(p.listener(),
            new InetSocketAddress(LocalPlan.LOOPBACK, p.port()), appAddress(p, sockets),
            InboundMode.valueOf(p.mode().name()), allow)).toList();
        Sidecar s = Sidecar.start(new SidecarConfig(listeners, List.of(), Optional.of(new InetSocketAddress(
            LocalPlan.LOOPBACK, 0)), Optional.of(log.toString()), Limits.DEFAULT), source, clock);
        started.add(s);
        String admin = address(s.adminAddress().orElseThrow());
        for (InboundPort p : plan.inbound()) {
          state.add(new MeshState.Sidecar(MeshState.Sidecar.INBOUND, p.listener(), p.port(), p.mode().name(),
              Addresses.describe(appAddress(p, sockets)), null, null, null, admin, log.toString()));
        }
      }
      if (!plan.outbound().isEmpty()) {
        Path log = logs.resolve(svc.name() + ".outbound.jsonl");
        List<OutboundListener> listeners = plan.outbound().stream().map(o -> new OutboundListener(o.listener(),
            localAddress(o, sockets), LocalPlan.LOOPBACK, o.targetPort(),
            o.mutual() ? OutboundTls.MUTUAL : OutboundTls.DISABLE, o.expect(), Optional.empty(), Optional.empty(),
            List.of())).toList();
        Sidecar s = Sidecar.start(new SidecarConfig(List.of(), listeners, Optional.of(new InetSocketAddress(
            LocalPlan.LOOPBACK, 0)), Optional.of(log.toString()), Limits.DEFAULT), source, clock);
        started.add(s);
        String admin = address(s.adminAddress().orElseThrow());
        for (OutboundPort o : plan.outbound()) {
          state.add(new MeshState.Sidecar(MeshState.Sidecar.OUTBOUND, o.listener(), o.localPort(), null,
              LocalPlan.LOOPBACK + ":" + o.targetPort(), o.upstream(), o.mutual() ? "mutual" : "disable",
              o.expect().map(Object::toString).orElse(null), admin, log.toString(),
              Addresses.describe(localAddress(o, sockets))));
        }
      }
    } catch (RuntimeException e) {
      started.forEach(Sidecar::close);
      source.close();
      throw e;
    }
    return new ServiceSidecars(source, started, state);
  }

  /** The app behind an inbound port: its unix socket, or {@code appHost:appPort}. */
  static SocketAddress appAddress(InboundPort p, ServiceSockets sockets) {
    return p.appSocket() ? UnixDomainSocketAddress.of(sockets.app(p.port()))
        : new InetSocketAddress(p.appHost(), p.appPort());
  }

  /** Where the app calls an upstream: the outbound listener's unix socket, or {@code 127.0.0.1:localPort}. */
  static SocketAddress localAddress(OutboundPort o, ServiceSockets sockets) {
    return o.localSocket() ? UnixDomainSocketAddress.of(sockets.upstream(o.upstream()))
        : new InetSocketAddress(LocalPlan.LOOPBACK, o.localPort());
  }

  /** The mesh file's allow list as the proxy's: exact IDs, whole-segment prefixes, trust domains. */
  static AllowPolicy allow(MeshService svc) {
    AllowPolicy.Builder b = AllowPolicy.builder();
    for (AllowRule r : svc.allow()) {
      switch (r.kind()) {
        case SPIFFE_ID -> b.id(SpiffeId.parse(r.value()));
        case PREFIX -> b.idPrefix(r.prefix());
        case TRUST_DOMAIN -> b.trustDomain(TrustDomain.parse(r.value()));
      }
    }
    return b.build();
  }

  private static String address(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  List<MeshState.Sidecar> state() {
    return state;
  }

  /** Not-after of the SVID the sidecars present now. */
  Instant svidNotAfter() {
    return source.svid().leaf().getNotAfter().toInstant();
  }

  @Override
  public void close() {
    try {
      sidecars.forEach(Sidecar::close);
    } finally {
      source.close();
    }
  }
}

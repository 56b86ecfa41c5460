package io.trustmesh.mesh.run;

import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.policy.meshfile.MeshFile;
import io.trustmesh.policy.meshfile.MeshFileException;
import io.trustmesh.policy.meshfile.MeshPort;
import io.trustmesh.policy.meshfile.MeshService;
import io.trustmesh.policy.meshfile.Mode;
import io.trustmesh.policy.meshfile.Upstream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * A mesh file laid out on one host: every inbound port becomes a sidecar listener on
 * {@code 127.0.0.1:port} in front of the app at {@code host:appPort}, every upstream an outbound
 * listener on {@code 127.0.0.1:localPort} that carries the call to the upstream's inbound port,
 * mutual TLS unless that port's effective mode is DISABLE (or the upstream has no sidecar).
 * Ports the file leaves out ({@code appPort}, {@code localPort}) are chosen here. On one host every
 * port needs its own number: two services declaring the same port (fine on Kubernetes, where each
 * pod has its own address) are refused with the file, line and field, before anything starts.
 *
 * <p>A service whose {@code command} names {@code ${TRUSTMESH_APP_SOCKET_<port>}} serves that port on a
 * unix socket instead of {@code appPort}, and one that names {@code ${TRUSTMESH_UPSTREAM_SOCKET_<SERVICE>}}
 * reaches that upstream through a unix socket instead of {@code localPort}: both in the service's 0700
 * directory under the state directory, so that no other local user can reach the app behind its
 * sidecar or borrow its identity ({@link ServiceSockets}). The numbers stay in the file for
 * {@code render}; locally they are then neither claimed nor bound.
 */
public record LocalPlan(MeshFile mesh, List<ServicePlan> services) {
  static final String LOOPBACK = "127.0.0.1";

  public LocalPlan {
    services = List.copyOf(services);
  }

  /** One service on this host. */
  public record ServicePlan(MeshService service, List<InboundPort> inbound, List<OutboundPort> outbound) {
    public ServicePlan {
      inbound = List.copyOf(inbound);
      outbound = List.copyOf(outbound);
    }

    /** Whether a sidecar (and so an SVID) serves this service. */
    public boolean meshed() {
      return service.sidecar();
    }
  }

  /**
   * A sidecar listener on {@code 127.0.0.1:port} in front of {@code appHost:appPort}, or of the app's
   * unix socket when {@code appSocket}.
   */
  public record InboundPort(String listener, int port, String appHost, int appPort, Mode mode, boolean appSocket) {
    public InboundPort(String listener, int port, String appHost, int appPort, Mode mode) {
      this(listener, port, appHost, appPort, mode, false);
    }
  }

  /**
   * An outbound listener on {@code 127.0.0.1:localPort} to the upstream's inbound port; {@code expect}
   * is the identity the upstream must present (empty when the call is plaintext).
   */
  public record OutboundPort(String listener, String upstream, int localPort, int targetPort, boolean mutual,
      Optional<SpiffeId> expect, boolean localSocket) {
    public OutboundPort(String listener, String upstream, int localPort, int targetPort, boolean mutual,
        Optional<SpiffeId> expect) {
      this(listener, upstream, localPort, targetPort, mutual, expect, false);
    }
  }

  /** The placeholder that puts a service's port {@code port} on a unix socket: {@code TRUSTMESH_APP_SOCKET_8080}. */
  public static String appSocketVariable(int port) {
    return "TRUSTMESH_APP_SOCKET_" + port;
  }

  /** The placeholder that puts the way to {@code upstream} on a unix socket: {@code TRUSTMESH_UPSTREAM_SOCKET_API}. */
  public static String upstreamSocketVariable(String upstream) {
    return "TRUSTMESH_UPSTREAM_SOCKET_" + upstream.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** Whether {@code command} names {@code ${variable}} in one of its arguments. */
  static boolean names(List<String> command, String variable) {
    String placeholder = "${" + variable + "}";
    return command.stream().anyMatch(a -> a.contains(placeholder));
  }

  /** Lays out {@code mesh}; {@code freePort} picks a port for whatever the file leaves to {@code up}. */
  public static LocalPlan of(MeshFile mesh, IntSupplier freePort) {
    Map<Integer, String> taken = new HashMap<>();
    List<ServicePlan> out = new ArrayList<>();
    for (int i = 0; i < mesh.services().size(); i++) {
      MeshService s = mesh.services().get(i);
      String field = "services[" + i + "]";
      List<InboundPort> in = new ArrayList<>();
      boolean localApp = !s.command().isEmpty() || s.address().map(LocalPlan::isLoopback).orElse(false);
      for (int j = 0; j < s.ports().size(); j++) {
        MeshPort p = s.ports().get(j);
        String pf = field + ".ports[" + j + "]";
        boolean appSocket = s.sidecar() && names(s.command(), appSocketVariable(p.port()));
        int appPort = p.appPort().orElseGet(appSocket ? () -> 0 : freePort);
        if (s.sidecar()) {
          claim(mesh, taken, p.port(), p.line(), pf + ".port", "service " + s.name() + ", port " + p.port());
          if (localApp && !appSocket) {
            claim(mesh, taken, appPort, p.line(), pf + ".appPort", "service " + s.name() + ", appPort " + appPort);
          }
          in.add(new InboundPort("inbound-" + p.port(), p.port(), s.address().orElse(LOOPBACK), appPort,
              mesh.effectiveMode(s, p.port()), appSocket));
        } else if (localApp) {
          // No sidecar: the app itself listens on the port callers address.
          claim(mesh, taken, p.port(), p.line(), pf + ".port", "service " + s.name() + ", port " + p.port());
        }
      }
      List<OutboundPort> outbound = new ArrayList<>();
      if (s.sidecar()) {
        for (int j = 0; j < s.upstreams().size(); j++) {
          Upstream u = s.upstreams().get(j);
          String uf = field + ".upstreams[" + j + "]";
          MeshService target = mesh.service(u.service()).orElseThrow();
          int targetPort = u.port().orElseGet(() -> target.ports().isEmpty() ? 0 : target.ports().get(0).port());
          if (targetPort == 0) {
            throw new MeshFileException(mesh.file(), u.line(), uf + ".service", "service '" + u.service()
                + "' has no port to call");
          }
          boolean localSocket = names(s.command(), upstreamSocketVariable(u.service()));
          int local = u.localPort().orElseGet(localSocket ? () -> 0 : freePort);
          if (!localSocket) {
            claim(mesh, taken, local, u.line(), uf + ".localPort", "service " + s.name() + ", localPort for "
                + u.service());
          }
          boolean mutual = target.sidecar() && mesh.effectiveMode(target, targetPort) != Mode.DISABLE;
          Optional<SpiffeId> expect = Optional.empty();
          if (mutual) {
            if (u.expect().size() > 1) {
              throw new MeshFileException(mesh.file(), u.line(), uf + ".expect", "a local sidecar checks one identity"
                  + " per upstream; got " + u.expect().size() + ": " + String.join(", ", u.expect()));
            }
            expect = Optional.of(u.expect().isEmpty() ? target.spiffeId() : SpiffeId.parse(u.expect().get(0)));
          }
          outbound.add(new OutboundPort("outbound-" + u.service(), u.service(), local, targetPort, mutual, expect,
              localSocket));
        }
      }
      out.add(new ServicePlan(s, in, outbound));
    }
    return new LocalPlan(mesh, out);
  }

  private static void claim(MeshFile mesh, Map<Integer, String> taken, int port, int line, String field,
      String what) {
    String before = taken.putIfAbsent(port, what);
    if (before != null) {
      throw new MeshFileException(mesh.file(), line, field, "port " + port + " (" + what + ") is also taken by " + before
          + ": on one host every sidecar, upstream and app port needs its own number");
    }
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }

  /** Every port this plan listens on locally (sidecars, outbound listeners, apps {@code up} starts). */
  public List<Integer> localPorts() {
    List<Integer> ports = new ArrayList<>();
    for (ServicePlan s : services) {
      boolean localApp = !s.service().command().isEmpty();
      s.inbound().forEach(p -> {
        ports.add(p.port());
        if (localApp && !p.appSocket()) {
          ports.add(p.appPort());
        }
      });
      if (!s.meshed() && localApp) {
        s.service().ports().forEach(p -> ports.add(p.port()));
      }
      s.outbound().stream().filter(o -> !o.localSocket()).forEach(o -> ports.add(o.localPort()));
    }
    return ports;
  }
}

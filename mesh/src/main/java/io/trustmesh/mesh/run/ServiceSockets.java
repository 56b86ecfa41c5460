package io.trustmesh.mesh.run;

import io.trustmesh.core.BadInputException;
import io.trustmesh.mesh.run.LocalPlan.InboundPort;
import io.trustmesh.mesh.run.LocalPlan.OutboundPort;
import io.trustmesh.mesh.run.LocalPlan.ServicePlan;
import io.trustmesh.mesh.state.StateDirectory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a service's plaintext hops live when its command asks for unix sockets: in
 * {@code STATE/run/NAME/} (0700, this user's, inside the 0700 state directory), the app's own socket
 * {@code app-PORT.sock} (its inbound sidecar's target) and the outbound sidecar's
 * {@code UPSTREAM.sock} (where the app calls that upstream), each 0600. No other local user can
 * enter the directory, so none can call the app without the inbound sidecar's mTLS and allow list,
 * nor call an upstream as this service.
 */
final class ServiceSockets {
  /** A socket path has at most 107 bytes on Linux. */
  static final int MAX_PATH = 107;

  private final Path dir;

  private ServiceSockets(Path dir) {
    this.dir = dir;
  }

  /** The service's socket directory, created 0700 (or checked) when the plan uses sockets for it. */
  static ServiceSockets of(StateDirectory state, ServicePlan s) {
    return new ServiceSockets(state.path().resolve("run").resolve(s.service().name()));
  }

  boolean needed(ServicePlan s) {
    return s.inbound().stream().anyMatch(InboundPort::appSocket) || s.outbound().stream().anyMatch(OutboundPort::localSocket);
  }

  /** Creates the directory (0700, checked like the state directory) before the app or a sidecar binds in it. */
  void prepare(StateDirectory state, ServicePlan s) {
    if (needed(s)) {
      state.privateSubdirectory("run");
      state.privateSubdirectory("run/" + s.service().name());
      for (Path p : paths(s)) {
        if (p.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH) {
          throw new BadInputException("socket path " + p + " is longer than " + MAX_PATH + " bytes (a unix socket's"
              + " limit): use a shorter --state-dir");
        }
      }
    }
  }

  Path app(int port) {
    return dir.resolve("app-" + port + ".sock");
  }

  Path upstream(String service) {
    return dir.resolve(service + ".sock");
  }

  private List<Path> paths(ServicePlan s) {
    List<Path> out = new ArrayList<>();
    s.inbound().stream().filter(InboundPort::appSocket).forEach(p -> out.add(app(p.port())));
    s.outbound().stream().filter(OutboundPort::localSocket).forEach(o -> out.add(upstream(o.upstream())));
    return out;
  }

  /** {@code TRUSTMESH_APP_SOCKET_PORT} and {@code TRUSTMESH_UPSTREAM_SOCKET_NAME} → {@code unix:/path}. */
  Map<String, String> variables(ServicePlan s) {
    Map<String, String> vars = new LinkedHashMap<>();
    s.inbound().stream().filter(InboundPort::appSocket).forEach(p ->
        vars.put(LocalPlan.appSocketVariable(p.port()), "unix:" + app(p.port())));
    s.outbound().stream().filter(OutboundPort::localSocket).forEach(o ->
        vars.put(LocalPlan.upstreamSocketVariable(o.upstream()), "unix:" + upstream(o.upstream())));
    return vars;
  }

  /** {@code command} with every {@code ${NAME}} of {@code vars} replaced by its value. */
  static List<String> substitute(List<String> command, Map<String, String> vars) {
    List<String> out = new ArrayList<>(command.size());
    for (String arg : command) {
      String a = arg;
      for (Map.Entry<String, String> v : vars.entrySet()) {
        a = a.replace("${" + v.getKey() + "}", v.getValue());
      }
      out.add(a);
    }
    return out;
  }
}

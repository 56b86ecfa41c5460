package io.trustmesh.mesh.observe;

import io.trustmesh.core.BadInputException;
import io.trustmesh.mesh.state.MeshState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a running local mesh says about itself in {@code STATE_DIR/state.json} (version 1, written by
 * {@code trustmesh up}; the contract is in the mesh module's README): its services, their
 * identities, and each sidecar's port, mode, admin address and access log. Unknown fields are
 * ignored so that a newer {@code up} does not break an older reader.
 *
 * <p>This is the observers' view (edges, tap, dashboard) of what the mesh's one reader,
 * {@link MeshState#read}, returns: paths resolved, absent values as
 * {@link Optional}.
 *
 * <pre>{@code
 * MeshView state = MeshView.read(Path.of(".trustmesh"));
 * state.service("api").map(MeshView.Service::spiffeId);
 * }</pre>
 */
public record MeshView(Path dir, String trustDomain, Optional<Path> meshFile, Optional<Path> bundle,
    List<Service> services) {
  public MeshView {
    services = List.copyOf(services);
  }

  /** A service of the mesh; {@code spiffeId} is empty for a workload outside the mesh. */
  public record Service(String name, String namespace, String spiffeId, List<Sidecar> sidecars) {
    public Service {
      sidecars = List.copyOf(sidecars);
    }

    public boolean hasInbound() {
      return sidecars.stream().anyMatch(Sidecar::inbound);
    }
  }

  /**
   * One sidecar listener: {@code kind} is {@code inbound} or {@code outbound}; {@code listener} is
   * the name it writes in its access log when {@code up} says so (several listeners may share one
   * log file); {@code meshPort} is the port of the mesh file it serves when {@code up} listens
   * elsewhere (tests, port clashes), otherwise {@code port} is that port.
   */
  public record Sidecar(String kind, int port, Optional<String> mode, Optional<String> upstream,
      Optional<String> expectId, Optional<String> admin, Optional<Path> accessLog, Optional<String> listener,
      OptionalInt upstreamPort, OptionalInt meshPort) {
    public boolean inbound() {
      return kind.equals("inbound");
    }
  }

  public Optional<Service> service(String name) {
    return services.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  public Optional<Service> serviceWithId(String spiffeId) {
    return services.stream().filter(s -> !s.spiffeId().isEmpty() && s.spiffeId().equals(spiffeId)).findFirst();
  }

  /**
   * Reads {@code dir/state.json} with the mesh's one reader ({@link MeshState#read},
   * which also refuses a file or directory someone else could have written) and keeps what the
   * observers need.
   *
   * @throws BadInputException when there is no mesh there or the file is not a state file
   */
  public static MeshView read(Path dir) {
    MeshState stored = MeshState.read(dir).orElseThrow(() -> new BadInputException("no running mesh in " + dir
        + " (no state.json); start one with 'trustmesh up' or give --state-dir"));
    List<Service> services = new ArrayList<>();
    for (MeshState.Service s : stored.services()) {
      List<Sidecar> sidecars = new ArrayList<>();
      for (MeshState.Sidecar c : s.sidecars()) {
        sidecars.add(new Sidecar(c.kind() == null ? "" : c.kind(), c.port(), text(c.mode()), text(c.upstream()),
            text(c.expectId()), text(c.admin()), path(dir, c.accessLog()), text(c.listener()),
            integer(c.upstreamPort()), integer(c.meshPort())));
      }
      services.add(new Service(s.name(), s.namespace() == null ? "default" : s.namespace(),
          s.spiffeId() == null ? "" : s.spiffeId(), sidecars));
    }
    return new MeshView(dir, stored.trustDomain() == null ? "" : stored.trustDomain(), path(dir, stored.meshFile()),
        path(dir, stored.server() == null ? null : stored.server().bundle()), services);
  }

  private static OptionalInt integer(Integer v) {
    return v == null ? OptionalInt.empty() : OptionalInt.of(v);
  }

  private static Optional<String> text(String v) {
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
  }

  /** Relative paths are taken from the state directory, so a moved directory still reads. */
  private static Optional<Path> path(Path dir, String v) {
    if (v == null || v.isEmpty()) {
      return Optional.empty();
    }
    Path p = Path.of(v);
    return Optional.of(p.isAbsolute() ? p : dir.resolve(p));
  }
}

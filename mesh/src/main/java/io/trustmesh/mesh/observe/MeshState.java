package io.trustmesh.mesh.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustmesh.core.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
 * <p>This is the observers' own reader (edges, tap, dashboard); it reads only what they need.
 *
 * <pre>{@code
 * MeshState state = MeshState.read(Path.of(".trustmesh"));
 * state.service("api").map(MeshState.Service::spiffeId);
 * }</pre>
 */
public record MeshState(Path dir, String trustDomain, Optional<Path> meshFile, Optional<Path> bundle,
    List<Service> services) {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A state.json larger than this is not one {@code up} wrote. */
  private static final long MAX_BYTES = 4L * 1024 * 1024;

  public MeshState {
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
   * Reads {@code dir/state.json}.
   *
   * @throws BadInputException when there is no mesh there or the file is not a state file
   */
  public static MeshState read(Path dir) {
    Path file = dir.resolve("state.json");
    JsonNode root;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new BadInputException(file + " is larger than " + MAX_BYTES + " bytes: not a state file");
      }
      root = JSON.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new BadInputException("no running mesh in " + dir + " (no state.json); start one with 'trustmesh up'"
          + " or give --state-dir");
    } catch (IOException e) {
      throw new BadInputException("cannot read " + file + ": " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new BadInputException(file + ": not a JSON object");
    }
    int version = root.path("version").asInt(0);
    if (version != 1) {
      throw new BadInputException(file + ": version " + root.path("version") + " is not supported (expected 1)");
    }
    List<Service> services = new ArrayList<>();
    int i = 0;
    for (JsonNode s : root.path("services")) {
      services.add(service(file, i++, s));
    }
    return new MeshState(dir, root.path("trust_domain").asText(""), path(dir, root.path("mesh_file")),
        path(dir, root.path("server").path("bundle")), services);
  }

  private static Service service(Path file, int index, JsonNode s) {
    String name = s.path("name").asText("");
    if (name.isEmpty()) {
      throw new BadInputException(file + ": services[" + index + "].name is missing");
    }
    List<Sidecar> sidecars = new ArrayList<>();
    for (JsonNode c : s.path("sidecars")) {
      sidecars.add(new Sidecar(c.path("kind").asText(""), c.path("port").asInt(0), text(c, "mode"),
          text(c, "upstream"), text(c, "expect_id"), text(c, "admin"),
          path(file.getParent(), c.path("access_log")), text(c, "listener"),
          integer(c, "upstream_port"), integer(c, "mesh_port")));
    }
    return new Service(name, s.path("namespace").asText("default"), s.path("spiffe_id").asText(""), sidecars);
  }

  private static OptionalInt integer(JsonNode n, String field) {
    return n.path(field).isInt() ? OptionalInt.of(n.path(field).asInt()) : OptionalInt.empty();
  }

  private static Optional<String> text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isTextual() && !v.asText().isEmpty() ? Optional.of(v.asText()) : Optional.empty();
  }

  /** Relative paths are taken from the state directory, so a moved directory still reads. */
  private static Optional<Path> path(Path dir, JsonNode v) {
    if (!v.isTextual() || v.asText().isEmpty()) {
      return Optional.empty();
    }
    Path p = Path.of(v.asText());
    return Optional.of(p.isAbsolute() ? p : dir.resolve(p));
  }
}

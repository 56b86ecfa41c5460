package io.trustmesh.mesh.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.mesh.observe.Edge;
import io.trustmesh.mesh.observe.Edges;
import io.trustmesh.mesh.observe.MeshView;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * The dashboard's JSON API ({@code docs/dashboard.md}), one method per view. Every answer is built
 * afresh from the state directory, the access logs and the sidecars' {@code /certs}; nothing here
 * reads a private key, so none can be served.
 */
final class DashboardApi {
  private final Path stateDir;
  private final Clock clock;
  private final CertsClient certs = new CertsClient();

  DashboardApi(Path stateDir, Clock clock) {
    this.stateDir = stateDir;
    this.clock = clock;
  }

  /** The document for {@code /api/NAME}; empty for an unknown name. */
  Optional<ObjectNode> answer(String name) {
    return switch (name) {
      case "services" -> Optional.of(services(MeshView.read(stateDir)));
      case "edges" -> Optional.of(edges(MeshView.read(stateDir)));
      case "modes" -> Optional.of(PortModes.of(MeshView.read(stateDir)));
      case "hierarchy" -> Optional.of(Hierarchy.of(MeshView.read(stateDir), certs, clock.instant()));
      default -> Optional.empty();
    };
  }

  private ObjectNode services(MeshView state) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("trust_domain", state.trustDomain());
    state.meshFile().ifPresent(f -> root.put("mesh_file", f.toString()));
    ArrayNode arr = root.putArray("services");
    for (MeshView.Service s : state.services()) {
      ObjectNode o = arr.addObject();
      o.put("name", s.name());
      o.put("namespace", s.namespace());
      o.put("spiffe_id", s.spiffeId());
      ArrayNode cars = o.putArray("sidecars");
      for (MeshView.Sidecar c : s.sidecars()) {
        ObjectNode co = cars.addObject();
        co.put("kind", c.kind());
        co.put("port", c.port());
        c.mode().ifPresent(m -> co.put("mode", m));
        c.upstream().ifPresent(u -> co.put("upstream", u));
        c.expectId().ifPresent(e -> co.put("expect_id", e));
        c.admin().ifPresent(a -> co.put("admin", a));
      }
    }
    return root;
  }

  private ObjectNode edges(MeshView state) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("generated", clock.instant().toString());
    ArrayNode arr = root.putArray("edges");
    for (Edge e : Edges.of(state)) {
      arr.add(e.toJson());
    }
    ArrayNode nodes = root.putArray("services");
    state.services().forEach(s -> nodes.addObject().put("name", s.name()).put("namespace", s.namespace()));
    return root;
  }
}

package io.trustmesh.mesh.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.mesh.observe.MeshView;
import io.trustmesh.policy.meshfile.MeshFile;
import io.trustmesh.policy.meshfile.MeshFileLoader;
import io.trustmesh.policy.meshfile.MeshPort;
import io.trustmesh.policy.meshfile.MeshService;
import java.util.Optional;

/**
 * Each port's effective mode, decided by the mesh file's own model ({@link MeshFile#effectiveMode},
 * Istio's precedence: port > service > namespace > mesh), with the level that set it and, when the
 * mesh runs, the port its sidecar listens on. Without a readable mesh file, the modes the sidecars
 * were started with (from the state).
 */
final class PortModes {
  private PortModes() {}

  static ObjectNode of(MeshView state) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ArrayNode ports = root.putArray("ports");
    if (state.meshFile().isPresent()) {
      try {
        MeshFile mesh = MeshFileLoader.load(state.meshFile().get());
        root.put("source", "mesh_file");
        root.put("mesh_mode", mesh.meshMode().name());
        for (MeshService s : mesh.services()) {
          for (MeshPort p : s.ports()) {
            ObjectNode o = ports.addObject();
            o.put("service", s.name());
            o.put("namespace", s.namespace());
            o.put("port", p.port());
            o.put("name", p.name() == null ? "" : p.name());
            o.put("mode", mesh.effectiveMode(s, p.port()).name());
            o.put("set_by", setBy(mesh, s, p));
            listening(state, s.name(), p.port()).ifPresent(l -> o.put("listening", l));
          }
        }
        return root;
      } catch (RuntimeException e) {
        root.put("problem", "mesh file " + state.meshFile().get() + ": " + e.getMessage());
      }
    }
    root.put("source", "state");
    for (MeshView.Service s : state.services()) {
      for (MeshView.Sidecar c : s.sidecars()) {
        if (c.inbound()) {
          ObjectNode o = ports.addObject();
          o.put("service", s.name());
          o.put("namespace", s.namespace());
          o.put("port", c.port());
          o.put("mode", c.mode().orElse("unknown"));
          o.put("set_by", "sidecar");
          o.put("listening", c.port());
        }
      }
    }
    return root;
  }

  private static String setBy(MeshFile mesh, MeshService s, MeshPort p) {
    if (!s.sidecar()) {
      return "no sidecar";
    }
    if (p.mode().isPresent()) {
      return "port";
    }
    if (s.mode().isPresent()) {
      return "service";
    }
    return mesh.namespaceModes().containsKey(s.namespace()) ? "namespace" : "mesh";
  }

  /** The port the running inbound sidecar listens on for this mesh port. */
  private static Optional<Integer> listening(MeshView state, String service, int meshPort) {
    return state.service(service).flatMap(s -> s.sidecars().stream()
        .filter(c -> c.inbound() && (c.meshPort().orElse(c.port()) == meshPort)).findFirst())
        .map(MeshView.Sidecar::port);
  }
}

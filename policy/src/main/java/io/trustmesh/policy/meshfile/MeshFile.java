package io.trustmesh.policy.meshfile;

import io.trustmesh.core.spiffe.TrustDomain;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A whole mesh as declared in {@code trustmesh.yaml}: trust domain, CA settings, the mesh-wide mode
 * with its namespace overrides, and the services (each with its own workload and port overrides).
 * Immutable; load it with {@link MeshFileLoader}. {@link #effectiveMode} answers which mode a
 * service port gets, with Istio's precedence (port > workload > namespace > mesh).
 *
 * <pre>{@code
 * MeshFile mesh = MeshFileLoader.load(Path.of("trustmesh.yaml"));
 * for (MeshService s : mesh.services()) {
 *   for (MeshPort p : s.ports()) {
 *     Mode m = mesh.effectiveMode(s, p.port());
 *   }
 * }
 * }</pre>
 */
public record MeshFile(
    String file,
    TrustDomain trustDomain,
    CaSettings ca,
    Mode meshMode,
    Map<String, Mode> namespaceModes,
    List<MeshService> services,
    Lines lines) {

  /** The mesh-wide default when the file does not set {@code mtls.mode}: secure by default. */
  public static final Mode DEFAULT_MESH_MODE = Mode.STRICT;

  public MeshFile {
    namespaceModes = Map.copyOf(namespaceModes);
    services = List.copyOf(services);
  }

  public Optional<MeshService> service(String name) {
    return services.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** The namespaces of the mesh, in order of first appearance among the services, then the overrides. */
  public List<String> namespaces() {
    LinkedHashSet<String> out = new LinkedHashSet<>();
    services.forEach(s -> out.add(s.namespace()));
    namespaceModes.keySet().stream().sorted().forEach(out::add);
    return List.copyOf(out);
  }

  /**
   * The mode a port of a service gets: its own, else the service's, else its namespace's, else the
   * mesh's. A service without a sidecar ({@code sidecar: false}) has nothing in front of its ports:
   * DISABLE (plaintext only), whatever the levels above say.
   */
  public Mode effectiveMode(MeshService service, int port) {
    if (!service.sidecar()) {
      return Mode.DISABLE;
    }
    return EffectiveModes.of(this).mode(service, port);
  }

  /**
   * Where things were read, for messages and for the "from trustmesh.yaml:LINE" comments of
   * rendered objects: {@code at("/mtls/namespaces/legacy")}, 0 when unknown.
   */
  public interface Lines {
    int at(String jsonPointer);
  }
}

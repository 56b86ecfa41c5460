package io.trustmesh.policy.render;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.policy.meshfile.MeshFile;
import io.trustmesh.policy.meshfile.MeshPort;
import io.trustmesh.policy.meshfile.MeshService;
import java.util.List;

/**
 * The Kubernetes side of the mesh file's services, shared by the Istio and Linkerd renderers:
 * a Namespace (with the dataplane's injection label or annotation), and per service a
 * ServiceAccount (its SPIFFE ID's {@code sa}), a Deployment labelled {@code app: NAME} with its
 * container ports, and a Service. The dataplane decides the injection markers through the hooks.
 */
final class Workloads {
  static final String APP_LABEL = "app";
  /** Placeholder registry: the mesh file's {@code image} replaces it; {@code .invalid} never resolves. */
  static final String PLACEHOLDER_REGISTRY = "registry.invalid/trustmesh/";

  /** How a dataplane marks namespaces and pods for injection. */
  interface Dataplane {
    void namespace(ObjectNode metadata);

    void pod(MeshService service, ObjectNode podMetadata);
  }

  private Workloads() {}

  static void render(MeshFile mesh, Documents docs, Dataplane dataplane) {
    for (String ns : mesh.namespaces()) {
      ObjectNode n = Documents.resource("v1", "Namespace", "", ns);
      dataplane.namespace((ObjectNode) n.get("metadata"));
      int line = mesh.namespaceModes().containsKey(ns) ? mesh.lines().at("/mtls/namespaces/" + ns)
          : mesh.services().stream().filter(s -> s.namespace().equals(ns)).findFirst().map(MeshService::line).orElse(0);
      docs.add(line, "namespace " + ns, n);
    }
    for (MeshService s : mesh.services()) {
      docs.add(s.line(), "service " + s.name(), Documents.resource("v1", "ServiceAccount", s.namespace(), serviceAccount(s)));
      docs.add(s.line(), "service " + s.name(), deployment(s, dataplane));
      if (!s.ports().isEmpty()) {
        docs.add(s.line(), "service " + s.name(), service(s));
      }
    }
  }

  /** The ServiceAccount: the last segment of {@code .../sa/NAME} IDs, else the service name. */
  static String serviceAccount(MeshService s) {
    List<String> segments = s.spiffeId().segments();
    int n = segments.size();
    return n >= 2 && segments.get(n - 2).equals("sa") ? segments.get(n - 1) : s.name();
  }

  static ObjectNode selector(MeshService s) {
    ObjectNode sel = Documents.object();
    sel.putObject("matchLabels").put(APP_LABEL, s.name());
    return sel;
  }

  private static ObjectNode deployment(MeshService s, Dataplane dataplane) {
    ObjectNode d = Documents.resource("apps/v1", "Deployment", s.namespace(), s.name());
    ((ObjectNode) d.get("metadata")).putObject("labels").put(APP_LABEL, s.name());
    ObjectNode spec = d.putObject("spec");
    spec.put("replicas", 1);
    spec.set("selector", selector(s));
    ObjectNode template = spec.putObject("template");
    ObjectNode meta = template.putObject("metadata");
    meta.putObject("labels").put(APP_LABEL, s.name());
    dataplane.pod(s, meta);
    ObjectNode podSpec = template.putObject("spec");
    podSpec.put("serviceAccountName", serviceAccount(s));
    ObjectNode container = podSpec.putArray("containers").addObject();
    container.put("name", s.name());
    container.put("image", s.image().orElse(PLACEHOLDER_REGISTRY + s.name() + ":latest"));
    if (!s.command().isEmpty()) {
      ArrayNode args = container.putArray("args");
      s.command().forEach(args::add);
    }
    if (!s.ports().isEmpty()) {
      ArrayNode ports = container.putArray("ports");
      for (MeshPort p : s.ports()) {
        ObjectNode port = ports.addObject();
        if (!p.name().isEmpty()) {
          port.put("name", p.name());
        }
        port.put("containerPort", p.port());
      }
    }
    return d;
  }

  private static ObjectNode service(MeshService s) {
    ObjectNode svc = Documents.resource("v1", "Service", s.namespace(), s.name());
    ObjectNode spec = svc.putObject("spec");
    spec.putObject("selector").put(APP_LABEL, s.name());
    ArrayNode ports = spec.putArray("ports");
    for (MeshPort p : s.ports()) {
      ObjectNode port = ports.addObject();
      port.put("name", p.name().isEmpty() ? "port-" + p.port() : p.name());
      port.put("port", p.port());
      port.put("targetPort", p.port());
    }
    return svc;
  }

}

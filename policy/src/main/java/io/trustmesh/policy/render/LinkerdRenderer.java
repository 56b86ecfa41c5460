package io.trustmesh.policy.render;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.policy.meshfile.MeshFile;
import io.trustmesh.policy.meshfile.MeshPort;
import io.trustmesh.policy.meshfile.MeshService;
import io.trustmesh.policy.meshfile.Mode;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The mesh file as Linkerd policy: per service port a {@code Server} (v1beta3, {@code accessPolicy:
 * deny}) and an {@code AuthorizationPolicy} requiring the service's {@code MeshTLSAuthentication};
 * PERMISSIVE ports get a second AuthorizationPolicy with a {@code NetworkAuthentication} for every
 * address (plaintext admitted); DISABLE ports bypass the proxy through
 * {@code config.linkerd.io/skip-inbound-ports}. Namespaces and pods carry {@code linkerd.io/inject}.
 *
 * <p>Linkerd matches identities exactly (or {@code *}); it has no SPIFFE path-prefix matching. The
 * allow list is therefore expanded to the SPIFFE IDs of the mesh file's own services that it admits,
 * which is exact for this mesh and says so in the rendered comment.
 */
final class LinkerdRenderer {
  static final String POLICY = "policy.linkerd.io/";
  static final String SKIP_INBOUND = "config.linkerd.io/skip-inbound-ports";

  private LinkerdRenderer() {}

  static List<RenderedFile> render(MeshFile mesh) {
    Documents docs = new Documents(mesh.file());
    Workloads.render(mesh, docs, new Workloads.Dataplane() {
      @Override
      public void namespace(ObjectNode metadata) {
        metadata.putObject("annotations").put("linkerd.io/inject", "enabled");
      }

      @Override
      public void pod(MeshService service, ObjectNode podMetadata) {
        ObjectNode annotations = podMetadata.putObject("annotations");
        annotations.put("linkerd.io/inject", service.sidecar() ? "enabled" : "disabled");
        String skipped = service.ports().stream().filter(p -> mesh.effectiveMode(service, p.port()) == Mode.DISABLE)
            .map(p -> String.valueOf(p.port())).collect(Collectors.joining(","));
        if (service.sidecar() && !skipped.isEmpty()) {
          annotations.put(SKIP_INBOUND, skipped);
        }
      }
    });
    for (MeshService s : mesh.services()) {
      if (!s.sidecar() || s.ports().isEmpty()) {
        continue;
      }
      List<String> admitted = mesh.services().stream().filter(c -> c.sidecar() && s.admits(c.spiffeId()))
          .map(c -> c.spiffeId().toString()).sorted().toList();
      String what = "service " + s.name() + " allow, expanded to " + admitted.size() + " identities of this mesh";
      if (!admitted.isEmpty()) {
        ObjectNode auth = Documents.resource(POLICY + "v1alpha1", "MeshTLSAuthentication", s.namespace(), s.name() + "-callers");
        ArrayNode ids = auth.putObject("spec").putArray("identities");
        admitted.forEach(ids::add);
        docs.add(s.line(), what, auth);
      }
      boolean anyPermissive = false;
      for (MeshPort p : s.ports()) {
        Mode mode = mesh.effectiveMode(s, p.port());
        if (mode == Mode.DISABLE) {
          continue;
        }
        String server = serverName(s, p);
        docs.add(p.line(), "service " + s.name() + " port " + p.port() + " " + mode, server(s, p, server));
        if (!admitted.isEmpty()) {
          docs.add(p.line(), "service " + s.name() + " port " + p.port() + " allow",
              policy(s, server + "-mtls", server, "MeshTLSAuthentication", s.name() + "-callers"));
        }
        if (mode == Mode.PERMISSIVE) {
          anyPermissive = true;
          docs.add(p.line(), "service " + s.name() + " port " + p.port() + " PERMISSIVE: plaintext admitted",
              policy(s, server + "-plaintext", server, "NetworkAuthentication", s.name() + "-any-network"));
        }
      }
      if (anyPermissive) {
        ObjectNode net = Documents.resource(POLICY + "v1alpha1", "NetworkAuthentication", s.namespace(), s.name() + "-any-network");
        ArrayNode networks = net.putObject("spec").putArray("networks");
        networks.addObject().put("cidr", "0.0.0.0/0");
        networks.addObject().put("cidr", "::/0");
        docs.add(s.line(), "service " + s.name() + " PERMISSIVE ports", net);
      }
    }
    return List.of(new RenderedFile("linkerd.yaml", docs.text()));
  }

  private static String serverName(MeshService s, MeshPort p) {
    return s.name() + "-" + (p.name().isEmpty() ? String.valueOf(p.port()) : p.name());
  }

  private static ObjectNode server(MeshService s, MeshPort p, String name) {
    ObjectNode server = Documents.resource(POLICY + "v1beta3", "Server", s.namespace(), name);
    ObjectNode spec = server.putObject("spec");
    spec.putObject("podSelector").putObject("matchLabels").put(Workloads.APP_LABEL, s.name());
    spec.put("port", p.port());
    spec.put("accessPolicy", "deny");
    return server;
  }

  private static ObjectNode policy(MeshService s, String name, String server, String authKind, String authName) {
    ObjectNode ap = Documents.resource(POLICY + "v1alpha1", "AuthorizationPolicy", s.namespace(), name);
    ObjectNode spec = ap.putObject("spec");
    ObjectNode target = spec.putObject("targetRef");
    target.put("group", "policy.linkerd.io");
    target.put("kind", "Server");
    target.put("name", server);
    ObjectNode ref = spec.putArray("requiredAuthenticationRefs").addObject();
    ref.put("group", "policy.linkerd.io");
    ref.put("kind", authKind);
    ref.put("name", authName);
    return ap;
  }
}

package io.trustmesh.policy.render;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.policy.meshfile.AllowRule;
import io.trustmesh.policy.meshfile.MeshFile;
import io.trustmesh.policy.meshfile.MeshPort;
import io.trustmesh.policy.meshfile.MeshService;
import io.trustmesh.policy.meshfile.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The mesh file as Istio configuration: a PeerAuthentication at each level the file sets (mesh-wide
 * in {@code istio-system}, per namespace, per service with {@code portLevelMtls}), a DestinationRule
 * per service (ISTIO_MUTUAL, DISABLE on its plaintext-only ports), an ALLOW AuthorizationPolicy per
 * service built from its allow list, and the namespaces and workloads with sidecar injection on.
 *
 * <p>Allow rules become principals (Istio's SPIFFE ID without {@code spiffe://}): an exact ID as is,
 * a path prefix as the prefix itself plus {@code prefix/*} (whole segments), a trust domain as
 * {@code td/*}. Plaintext callers are admitted on PERMISSIVE ports ({@code notPrincipals: ["*"]})
 * and anyone on DISABLE ports: that is what those modes mean in the mesh file.
 */
final class IstioRenderer {
  static final String ROOT_NAMESPACE = "istio-system";

  private IstioRenderer() {}

  static List<RenderedFile> render(MeshFile mesh) {
    Documents docs = new Documents(mesh.file());
    docs.add(mesh.lines().at("/trustDomain"), "trust domain", meshConfig(mesh));
    ObjectNode meshWide = Documents.resource("security.istio.io/v1", "PeerAuthentication", ROOT_NAMESPACE, "default");
    meshWide.putObject("spec").putObject("mtls").put("mode", mesh.meshMode().name());
    docs.add(mesh.lines().at("/mtls/mode"), "mesh-wide mode", meshWide);
    mesh.namespaceModes().keySet().stream().sorted().forEach(ns -> {
      ObjectNode pa = Documents.resource("security.istio.io/v1", "PeerAuthentication", ns, "default");
      pa.putObject("spec").putObject("mtls").put("mode", mesh.namespaceModes().get(ns).name());
      docs.add(mesh.lines().at("/mtls/namespaces/" + ns), "namespace " + ns, pa);
    });
    for (MeshService s : mesh.services()) {
      if (s.sidecar()) {
        workloadPolicy(s).ifPresent(pa -> docs.add(s.line(), "service " + s.name(), pa));
        if (!s.ports().isEmpty()) {
          docs.add(s.line(), "service " + s.name(), destinationRule(mesh, s));
          authorizationPolicies(mesh, s, docs);
        }
      }
    }
    Workloads.render(mesh, docs, new Workloads.Dataplane() {
      @Override
      public void namespace(ObjectNode metadata) {
        metadata.putObject("labels").put("istio-injection", "enabled");
      }

      @Override
      public void pod(MeshService service, ObjectNode podMetadata) {
        ((ObjectNode) podMetadata.get("labels")).put("sidecar.istio.io/inject", service.sidecar() ? "true" : "false");
      }
    });
    return List.of(new RenderedFile("istio.yaml", docs.text()));
  }

  private static Optional<ObjectNode> workloadPolicy(MeshService s) {
    List<MeshPort> overridden = s.ports().stream().filter(p -> p.mode().isPresent()).toList();
    if (s.mode().isEmpty() && overridden.isEmpty()) {
      return Optional.empty();
    }
    ObjectNode pa = Documents.resource("security.istio.io/v1", "PeerAuthentication", s.namespace(), s.name());
    ObjectNode spec = pa.putObject("spec");
    spec.set("selector", Workloads.selector(s));
    s.mode().ifPresent(m -> spec.putObject("mtls").put("mode", m.name()));
    if (!overridden.isEmpty()) {
      ObjectNode ports = spec.putObject("portLevelMtls");
      overridden.forEach(p -> ports.putObject(String.valueOf(p.port())).put("mode", p.mode().orElseThrow().name()));
    }
    return Optional.of(pa);
  }

  private static ObjectNode destinationRule(MeshFile mesh, MeshService s) {
    ObjectNode dr = Documents.resource("networking.istio.io/v1", "DestinationRule", s.namespace(), s.name());
    ObjectNode spec = dr.putObject("spec");
    spec.put("host", s.name() + "." + s.namespace() + ".svc.cluster.local");
    ObjectNode policy = spec.putObject("trafficPolicy");
    policy.putObject("tls").put("mode", "ISTIO_MUTUAL");
    List<MeshPort> plaintext = s.ports().stream().filter(p -> mesh.effectiveMode(s, p.port()) == Mode.DISABLE).toList();
    if (!plaintext.isEmpty()) {
      ArrayNode settings = policy.putArray("portLevelSettings");
      for (MeshPort p : plaintext) {
        ObjectNode setting = settings.addObject();
        setting.putObject("port").put("number", p.port());
        setting.putObject("tls").put("mode", "DISABLE");
      }
    }
    return dr;
  }

  /**
   * One ALLOW policy per kind of caller, so that each names only the ports it is about (Istio ORs
   * ALLOW policies): {@code NAME-allow} for authenticated callers on STRICT and PERMISSIVE ports
   * (with no rules when the allow list is empty: Istio then denies every request),
   * {@code NAME-plaintext} for plaintext callers on PERMISSIVE ports ({@code notPrincipals: ["*"]}
   * matches only requests without a peer identity), {@code NAME-plaintext-only} for DISABLE ports.
   */
  private static void authorizationPolicies(MeshFile mesh, MeshService s, Documents docs) {
    List<String> authenticated = ports(mesh, s, Mode.STRICT, Mode.PERMISSIVE);
    if (!authenticated.isEmpty()) {
      ObjectNode ap = allowPolicy(s, "-allow");
      if (!s.allow().isEmpty()) {
        ObjectNode rule = ((ObjectNode) ap.get("spec")).putArray("rules").addObject();
        ArrayNode principals = rule.putArray("from").addObject().putObject("source").putArray("principals");
        principals(s.allow()).forEach(principals::add);
        toPorts(rule, authenticated);
      }
      docs.add(s.allow().isEmpty() ? s.line() : s.allow().get(0).line(), "service " + s.name()
          + (s.allow().isEmpty() ? " has no allow list: every request denied" : " allow"), ap);
    }
    List<String> permissive = ports(mesh, s, Mode.PERMISSIVE);
    if (!permissive.isEmpty()) {
      ObjectNode ap = allowPolicy(s, "-plaintext");
      ObjectNode rule = ((ObjectNode) ap.get("spec")).putArray("rules").addObject();
      rule.putArray("from").addObject().putObject("source").putArray("notPrincipals").add("*");
      toPorts(rule, permissive);
      docs.add(s.line(), "service " + s.name() + " PERMISSIVE ports: plaintext callers", ap);
    }
    List<String> disabled = ports(mesh, s, Mode.DISABLE);
    if (!disabled.isEmpty()) {
      ObjectNode ap = allowPolicy(s, "-plaintext-only");
      toPorts(((ObjectNode) ap.get("spec")).putArray("rules").addObject(), disabled);
      docs.add(s.line(), "service " + s.name() + " DISABLE ports: anyone", ap);
    }
  }

  private static ObjectNode allowPolicy(MeshService s, String suffix) {
    ObjectNode ap = Documents.resource("security.istio.io/v1", "AuthorizationPolicy", s.namespace(), s.name() + suffix);
    ObjectNode spec = ap.putObject("spec");
    spec.set("selector", Workloads.selector(s));
    spec.put("action", "ALLOW");
    return ap;
  }

  /** Istio's mesh config (the {@code istio} ConfigMap): the trust domain the principals are written in. */
  private static ObjectNode meshConfig(MeshFile mesh) {
    ObjectNode cm = Documents.resource("v1", "ConfigMap", ROOT_NAMESPACE, "istio");
    cm.putObject("data").put("mesh", "trustDomain: " + mesh.trustDomain().name() + "\nrootNamespace: " + ROOT_NAMESPACE
        + "\nenableAutoMtls: true\n");
    return cm;
  }

  /** Istio principals for an allow list, in the list's order. */
  static List<String> principals(List<AllowRule> allow) {
    List<String> out = new ArrayList<>();
    for (AllowRule r : allow) {
      switch (r.kind()) {
        case SPIFFE_ID -> out.add(withoutScheme(r.value()));
        case PREFIX -> {
          out.add(withoutScheme(r.prefix()));
          out.add(withoutScheme(r.prefix()) + "/*");
        }
        case TRUST_DOMAIN -> out.add(r.value() + "/*");
      }
    }
    return out;
  }

  private static String withoutScheme(String id) {
    return id.substring("spiffe://".length());
  }

  private static List<String> ports(MeshFile mesh, MeshService s, Mode... modes) {
    List<Mode> wanted = List.of(modes);
    return s.ports().stream().filter(p -> wanted.contains(mesh.effectiveMode(s, p.port())))
        .map(p -> String.valueOf(p.port())).toList();
  }

  private static void toPorts(ObjectNode rule, List<String> ports) {
    ArrayNode list = rule.putArray("to").addObject().putObject("operation").putArray("ports");
    ports.forEach(list::add);
  }
}

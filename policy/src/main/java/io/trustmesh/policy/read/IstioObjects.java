package io.trustmesh.policy.read;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustmesh.policy.model.AuthorizationPolicy;
import io.trustmesh.policy.model.ClientTls;
import io.trustmesh.policy.model.ClientTlsMode;
import io.trustmesh.policy.model.DestinationRule;
import io.trustmesh.policy.model.MtlsMode;
import io.trustmesh.policy.model.PeerAuthentication;
import io.trustmesh.policy.model.PortOverride;
import io.trustmesh.policy.model.SourceCondition;
import io.trustmesh.policy.source.Manifest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Istio's security and networking objects. An invalid value makes the object a problem, as Istio's webhook would. */
final class IstioObjects {
  private IstioObjects() {}

  static Optional<PeerAuthentication> peerAuthentication(Manifest m, ModelReader.Problems problems) {
    Optional<MtlsMode> mode = mode(m, "/spec/mtls/mode", m.spec().path("mtls").path("mode"), problems);
    if (mode.isEmpty()) {
      return Optional.empty();
    }
    JsonNode portLevel = m.spec().path("portLevelMtls");
    if (portLevel.isObject() && portLevel.isEmpty()) {
      // Istio's CRD: minProperties 1 (pkg/config/validation ValidatePeerAuthentication says the same).
      problems.invalid(m, "/spec/portLevelMtls", "portLevelMtls is empty: Istio refuses the policy (at least one port)");
      return Optional.empty();
    }
    List<PortOverride> ports = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> it = portLevel.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String pointer = "/spec/portLevelMtls/" + e.getKey();
      int port;
      try {
        port = Integer.parseInt(e.getKey().trim());
      } catch (NumberFormatException ex) {
        port = 0;
      }
      if (port < 1 || port > 65535) {
        problems.invalid(m, pointer, "portLevelMtls key '" + e.getKey() + "' is not a port number 1-65535");
        return Optional.empty();
      }
      Optional<MtlsMode> portMode = mode(m, pointer + "/mode", e.getValue().path("mode"), problems);
      if (portMode.isEmpty()) {
        return Optional.empty();
      }
      ports.add(new PortOverride(port, portMode.get(), m.at(pointer)));
    }
    return Optional.of(new PeerAuthentication(Fields.ref(m), Fields.strings(m.spec().path("selector").path("matchLabels")),
        mode.get(), ports, Fields.created(m, problems)));
  }

  private static Optional<MtlsMode> mode(Manifest m, String pointer, JsonNode node, ModelReader.Problems problems) {
    try {
      return Optional.of(MtlsMode.parse(Fields.text(node)));
    } catch (IllegalArgumentException e) {
      problems.invalid(m, pointer, "mTLS mode '" + Fields.text(node) + "' is not one of UNSET, DISABLE, PERMISSIVE, STRICT");
      return Optional.empty();
    }
  }

  static Optional<DestinationRule> destinationRule(Manifest m, ModelReader.Problems problems) {
    String host = Fields.text(m.spec().path("host"));
    if (host.isEmpty()) {
      problems.invalid(m, "/spec", "DestinationRule has no spec.host");
      return Optional.empty();
    }
    JsonNode policy = m.spec().path("trafficPolicy");
    Optional<ClientTls> tls = Optional.empty();
    if (policy.has("tls")) {
      Optional<ClientTls> parsed = tls(m, "/spec/trafficPolicy/tls", policy.path("tls"), problems);
      if (parsed.isEmpty()) {
        return Optional.empty();
      }
      tls = parsed;
    }
    Map<Integer, ClientTls> portTls = new LinkedHashMap<>();
    JsonNode settings = policy.path("portLevelSettings");
    for (int i = 0; i < settings.size(); i++) {
      JsonNode s = settings.get(i);
      if (!s.has("tls")) {
        continue;
      }
      String pointer = "/spec/trafficPolicy/portLevelSettings/" + i + "/tls";
      Optional<ClientTls> parsed = tls(m, pointer, s.path("tls"), problems);
      if (parsed.isEmpty()) {
        return Optional.empty();
      }
      portTls.put(s.path("port").path("number").asInt(0), parsed.get());
    }
    return Optional.of(new DestinationRule(Fields.ref(m), host, Fields.list(m.spec().path("exportTo")), tls, portTls,
        m.spec().has("workloadSelector"), Fields.created(m, problems)));
  }

  private static Optional<ClientTls> tls(Manifest m, String pointer, JsonNode tls, ModelReader.Problems problems) {
    String raw = Fields.text(tls.path("mode"));
    ClientTlsMode mode;
    try {
      mode = raw.isEmpty() ? ClientTlsMode.DISABLE : ClientTlsMode.parse(raw);
    } catch (IllegalArgumentException e) {
      problems.invalid(m, pointer + "/mode", "TLS mode '" + raw + "' is not one of DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL");
      return Optional.empty();
    }
    return Optional.of(new ClientTls(mode, !Fields.text(tls.path("caCertificates")).isEmpty(),
        !Fields.text(tls.path("clientCertificate")).isEmpty(), !Fields.text(tls.path("privateKey")).isEmpty(),
        !Fields.text(tls.path("credentialName")).isEmpty(), tls.path("insecureSkipVerify").asBoolean(false),
        m.at(pointer)));
  }

  static AuthorizationPolicy authorizationPolicy(Manifest m) {
    List<SourceCondition> conditions = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    JsonNode rules = m.spec().path("rules");
    for (int r = 0; r < rules.size(); r++) {
      JsonNode from = rules.get(r).path("from");
      for (int f = 0; f < from.size(); f++) {
        JsonNode source = from.get(f).path("source");
        for (String field : List.of("principals", "notPrincipals", "namespaces", "notNamespaces")) {
          if (source.has(field)) {
            conditions.add(new SourceCondition(field, Fields.list(source.path(field)),
                m.at("/spec/rules/" + r + "/from/" + f + "/source/" + field)));
          }
        }
      }
      JsonNode when = rules.get(r).path("when");
      for (int w = 0; w < when.size(); w++) {
        String key = Fields.text(when.get(w).path("key"));
        if (key.equals("source.principal") || key.equals("source.namespace")) {
          List<String> values = Fields.list(when.get(w).path("values"));
          values.addAll(Fields.list(when.get(w).path("notValues")));
          conditions.add(new SourceCondition(key, values, m.at("/spec/rules/" + r + "/when/" + w)));
        }
      }
      JsonNode to = rules.get(r).path("to");
      for (JsonNode t : to) {
        for (String p : Fields.list(t.path("operation").path("ports"))) {
          try {
            ports.add(Integer.parseInt(p));
          } catch (NumberFormatException ignored) {
            // a port range or name is not modelled: the policy then counts for every port
          }
        }
      }
    }
    String action = Fields.text(m.spec().path("action"));
    return new AuthorizationPolicy(Fields.ref(m), Fields.strings(m.spec().path("selector").path("matchLabels")),
        action.isEmpty() ? "ALLOW" : action, ports, conditions);
  }
}

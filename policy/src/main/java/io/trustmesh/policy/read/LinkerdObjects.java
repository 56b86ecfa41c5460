package io.trustmesh.policy.read;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustmesh.policy.model.LinkerdAuthentication;
import io.trustmesh.policy.model.LinkerdAuthorization;
import io.trustmesh.policy.model.LinkerdPolicy;
import io.trustmesh.policy.model.LinkerdServer;
import io.trustmesh.policy.source.Manifest;
import java.util.ArrayList;
import java.util.List;

/** Linkerd's policy objects ({@code policy.linkerd.io}). */
final class LinkerdObjects {
  private LinkerdObjects() {}

  static LinkerdServer server(Manifest m, ModelReader.Problems problems) {
    return new LinkerdServer(Fields.ref(m), Fields.strings(m.spec().path("podSelector").path("matchLabels")),
        Fields.text(m.spec().path("port")), Fields.text(m.spec().path("accessPolicy")), Fields.created(m, problems));
  }

  static LinkerdAuthorization serverAuthorization(Manifest m) {
    JsonNode client = m.spec().path("client");
    JsonNode meshTls = client.path("meshTLS");
    List<String> identities = new ArrayList<>(Fields.list(meshTls.path("identities")));
    for (JsonNode sa : meshTls.path("serviceAccounts")) {
      identities.add("sa:" + Fields.text(sa.path("namespace")) + "/" + Fields.text(sa.path("name")));
    }
    boolean unauthenticated = client.path("unauthenticated").asBoolean(false)
        || meshTls.path("unauthenticatedTLS").asBoolean(false);
    return new LinkerdAuthorization(Fields.ref(m), Fields.text(m.spec().path("server").path("name")),
        client.has("meshTLS") && !meshTls.path("unauthenticatedTLS").asBoolean(false), unauthenticated, identities);
  }

  static LinkerdPolicy authorizationPolicy(Manifest m) {
    List<LinkerdPolicy.AuthenticationRef> refs = new ArrayList<>();
    for (JsonNode r : m.spec().path("requiredAuthenticationRefs")) {
      String ns = Fields.text(r.path("namespace"));
      refs.add(new LinkerdPolicy.AuthenticationRef(Fields.text(r.path("kind")), Fields.text(r.path("name")),
          ns.isEmpty() ? m.namespace() : ns));
    }
    JsonNode target = m.spec().path("targetRef");
    return new LinkerdPolicy(Fields.ref(m), Fields.text(target.path("kind")), Fields.text(target.path("name")), refs);
  }

  static LinkerdAuthentication authentication(Manifest m) {
    boolean meshTls = m.kind().equals("MeshTLSAuthentication");
    List<String> ids = new ArrayList<>();
    if (meshTls) {
      ids.addAll(Fields.list(m.spec().path("identities")));
      for (JsonNode r : m.spec().path("identityRefs")) {
        ids.add(Fields.text(r.path("kind")) + ":" + Fields.text(r.path("name")));
      }
    } else {
      for (JsonNode n : m.spec().path("networks")) {
        ids.add(Fields.text(n.path("cidr")));
      }
    }
    return new LinkerdAuthentication(Fields.ref(m), meshTls, ids);
  }
}

package io.trustmesh.mesh.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.mesh.observe.MeshView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The trust hierarchy of a running mesh, root → intermediate → signing CA(s) → workload
 * identities, each with its expiry: the roots from the server's bundle file, the rest from every
 * sidecar's {@code /certs} chain. Certificates are joined by issuer name; a node is one certificate
 * (a rotated CA appears twice, with its two expiries). Only public certificate fields are read.
 */
final class Hierarchy {
  /** A bundle file larger than this is not read. */
  private static final long MAX_BUNDLE = 1024 * 1024;

  private record Node(String id, String subject, String issuer, boolean ca, Instant notAfter, String serial,
      Set<String> services, Optional<String> spiffeId) {}

  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();

  static ObjectNode of(MeshView state, CertsClient client, Instant now) {
    Hierarchy h = new Hierarchy();
    state.bundle().ifPresent(h::addBundle);
    for (MeshView.Service s : state.services()) {
      Set<String> admins = new LinkedHashSet<>();
      s.sidecars().forEach(c -> c.admin().ifPresent(admins::add));
      for (String admin : admins) {
        Optional<JsonNode> certs = client.certs(admin);
        if (certs.isEmpty()) {
          h.problems.add(s.name() + ": the sidecar's admin endpoint " + admin + " did not answer /certs");
          continue;
        }
        h.addCerts(s.name(), certs.get());
      }
    }
    return h.json(now);
  }

  private void addBundle(Path file) {
    try {
      if (!Files.isRegularFile(file) || Files.size(file) > MAX_BUNDLE) {
        problems.add("bundle " + file + " is not a readable certificate file");
        return;
      }
      for (X509Certificate c : Pem.readCertificates(file)) {
        add(new Node(sha256(c), c.getSubjectX500Principal().getName(), c.getIssuerX500Principal().getName(),
            c.getBasicConstraints() >= 0, c.getNotAfter().toInstant(), c.getSerialNumber().toString(16),
            new LinkedHashSet<>(), Optional.empty()));
      }
    } catch (Exception e) {
      problems.add("bundle " + file + ": " + e.getMessage());
    }
  }

  private void addCerts(String service, JsonNode certs) {
    JsonNode svid = certs.path("svid");
    for (JsonNode b : certs.path("bundles")) {
      for (JsonNode a : b.path("authorities")) {
        String subject = a.path("subject").asText("");
        String issuer = a.path("issuer").asText(subject);
        add(new Node(a.path("sha256").asText(subject), subject, issuer, true, instant(a.path("not_after")), "",
            new LinkedHashSet<>(), Optional.empty()));
      }
    }
    JsonNode chain = svid.path("chain_certificates");
    if (chain.isArray() && chain.size() > 0) {
      boolean leaf = true;
      for (JsonNode c : chain) {
        String subject = c.path("subject").asText("");
        Node n = new Node(c.path("sha256").asText(subject), subject, c.path("issuer").asText(""),
            c.path("ca").asBoolean(!leaf), instant(c.path("not_after")), c.path("serial").asText(""),
            new LinkedHashSet<>(), leaf ? text(svid, "spiffe_id") : Optional.empty());
        Node kept = add(n);
        if (leaf) {
          kept.services().add(service);
        }
        leaf = false;
      }
    } else if (svid.isObject()) {
      // a sidecar from before chain_certificates: the leaf alone, joined by the chain's subject names
      JsonNode names = svid.path("chain");
      String issuer = names.size() > 1 ? names.get(1).asText("") : "";
      Node n = add(new Node(svid.path("sha256").asText(""), names.path(0).asText(""), issuer, false,
          instant(svid.path("not_after")), svid.path("serial").asText(""), new LinkedHashSet<>(),
          text(svid, "spiffe_id")));
      n.services().add(service);
    }
  }

  private Node add(Node n) {
    return nodes.merge(n.id(), n, (old, fresh) -> old.notAfter() == null && fresh.notAfter() != null ? merged(fresh, old)
        : old);
  }

  private static Node merged(Node fresh, Node old) {
    fresh.services().addAll(old.services());
    return fresh;
  }

  private ObjectNode json(Instant now) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("now", now.toString());
    ArrayNode arr = root.putArray("nodes");
    List<Node> sorted = new ArrayList<>(nodes.values());
    sorted.sort(Comparator.comparing((Node n) -> depth(n)).thenComparing(Node::subject));
    for (Node n : sorted) {
      ObjectNode o = arr.addObject();
      o.put("id", n.id());
      Optional<Node> parent = parent(n);
      if (parent.isPresent()) {
        o.put("parent", parent.get().id());
      } else {
        o.putNull("parent");
      }
      o.put("kind", kind(n));
      o.put("subject", n.subject());
      o.put("issuer", n.issuer());
      n.spiffeId().ifPresent(id -> o.put("spiffe_id", id));
      ArrayNode svc = o.putArray("services");
      n.services().forEach(svc::add);
      o.put("serial", n.serial());
      if (n.notAfter() != null) {
        o.put("not_after", n.notAfter().toString());
        o.put("expires_in_seconds", Duration.between(now, n.notAfter()).getSeconds());
      } else {
        o.putNull("not_after");
      }
    }
    ArrayNode p = root.putArray("problems");
    problems.forEach(p::add);
    return root;
  }

  private Optional<Node> parent(Node n) {
    if (n.subject().equals(n.issuer())) {
      return Optional.empty();
    }
    return nodes.values().stream().filter(c -> c.ca() && c.subject().equals(n.issuer()) && c != n)
        .max(Comparator.comparing(c -> c.notAfter() == null ? Instant.MIN : c.notAfter()));
  }

  private int depth(Node n) {
    int d = 0;
    Optional<Node> p = parent(n);
    while (p.isPresent() && d < 16) {
      d++;
      p = parent(p.get());
    }
    return d;
  }

  /** root (self-signed), signing_ca (issues workloads), intermediate (issues CAs), workload (a leaf). */
  private String kind(Node n) {
    if (!n.ca()) {
      return "workload";
    }
    if (n.subject().equals(n.issuer())) {
      return "root";
    }
    boolean issuesLeaves = nodes.values().stream().anyMatch(c -> !c.ca() && parent(c).map(n::equals).orElse(false));
    return issuesLeaves ? "signing_ca" : "intermediate";
  }

  private static Optional<String> text(JsonNode n, String field) {
    return n.path(field).isTextual() ? Optional.of(n.path(field).asText()) : Optional.empty();
  }

  private static Instant instant(JsonNode v) {
    try {
      return v.isTextual() ? Instant.parse(v.asText()) : null;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String sha256(X509Certificate c) throws NoSuchAlgorithmException, CertificateEncodingException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
  }
}

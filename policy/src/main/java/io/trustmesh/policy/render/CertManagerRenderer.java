package io.trustmesh.policy.render;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.policy.meshfile.CaSettings;
import io.trustmesh.policy.meshfile.MeshFile;
import io.trustmesh.policy.meshfile.MeshService;
import java.time.Duration;
import java.util.List;

/**
 * The mesh file as cert-manager objects: a CA {@code ClusterIssuer} backed by the signing CA's
 * Secret, and per service with a sidecar a {@code Certificate} for its SPIFFE ID (URI SAN only),
 * with both {@code server auth} and {@code client auth}, {@code duration} = the SVID TTL (the loader
 * caps it at 24h) and {@code renewBefore} = a third of it, and a fresh key at every renewal.
 */
final class CertManagerRenderer {
  static final String ISSUER = "trustmesh-ca";
  /** The Secret (in cert-manager's cluster resource namespace) holding the signing CA's tls.crt/tls.key. */
  static final String CA_SECRET = "trustmesh-signing-ca";

  private CertManagerRenderer() {}

  static List<RenderedFile> render(MeshFile mesh) {
    Documents docs = new Documents(mesh.file());
    ObjectNode issuer = Documents.resource("cert-manager.io/v1", "ClusterIssuer", "", ISSUER);
    issuer.putObject("spec").putObject("ca").put("secretName", CA_SECRET);
    docs.add(mesh.lines().at("/ca"), "signing CA", issuer);
    for (MeshService s : mesh.services()) {
      if (s.sidecar()) {
        docs.add(s.line(), "service " + s.name() + " " + s.spiffeId(), certificate(mesh.ca(), s));
      }
    }
    return List.of(new RenderedFile("cert-manager.yaml", docs.text()));
  }

  private static ObjectNode certificate(CaSettings ca, MeshService s) {
    ObjectNode cert = Documents.resource("cert-manager.io/v1", "Certificate", s.namespace(), s.name() + "-svid");
    ObjectNode spec = cert.putObject("spec");
    spec.put("secretName", s.name() + "-svid");
    Duration ttl = ca.svidTtl();
    spec.put("duration", Durations.go(ttl));
    spec.put("renewBefore", Durations.go(ttl.dividedBy(3)));
    spec.putArray("uris").add(s.spiffeId().toString());
    ArrayNode usages = spec.putArray("usages");
    usages.add("server auth");
    usages.add("client auth");
    usages.add("digital signature");
    if (ca.keyType().name().startsWith("RSA")) {
      usages.add("key encipherment");
    }
    ObjectNode key = spec.putObject("privateKey");
    switch (ca.keyType()) {
      case EC_P256 -> key.put("algorithm", "ECDSA").put("size", 256);
      case EC_P384 -> key.put("algorithm", "ECDSA").put("size", 384);
      case RSA_2048 -> key.put("algorithm", "RSA").put("size", 2048);
      case RSA_4096 -> key.put("algorithm", "RSA").put("size", 4096);
    }
    key.put("rotationPolicy", "Always");
    ObjectNode ref = spec.putObject("issuerRef");
    ref.put("name", ISSUER);
    ref.put("kind", "ClusterIssuer");
    ref.put("group", "cert-manager.io");
    return cert;
  }
}

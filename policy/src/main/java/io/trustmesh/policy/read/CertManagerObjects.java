package io.trustmesh.policy.read;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustmesh.policy.model.CertIssuer;
import io.trustmesh.policy.model.Certificate;
import io.trustmesh.policy.model.GoDuration;
import io.trustmesh.policy.source.Manifest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** cert-manager's Issuer, ClusterIssuer and Certificate ({@code cert-manager.io/v1}). */
final class CertManagerObjects {
  private static final List<String> ISSUER_TYPES = List.of("selfSigned", "ca", "acme", "vault", "venafi");

  private CertManagerObjects() {}

  static CertIssuer issuer(Manifest m) {
    boolean cluster = m.kind().equals("ClusterIssuer");
    String type = ISSUER_TYPES.stream().filter(t -> m.spec().has(t)).findFirst().orElse("external");
    return new CertIssuer(cluster ? Fields.clusterRef(m) : Fields.ref(m), cluster, type);
  }

  static Optional<Certificate> certificate(Manifest m, ModelReader.Problems problems) {
    JsonNode spec = m.spec();
    Optional<Duration> duration = duration(m, "duration", problems);
    Optional<Duration> renewBefore = duration(m, "renewBefore", problems);
    if (duration == null || renewBefore == null) {
      return Optional.empty();
    }
    Optional<Integer> percentage = spec.has("renewBeforePercentage")
        ? Optional.of(spec.path("renewBeforePercentage").asInt()) : Optional.empty();
    JsonNode key = spec.path("privateKey");
    String algorithm = Fields.text(key.path("algorithm"));
    Optional<Integer> size = key.has("size") ? Optional.of(key.path("size").asInt()) : Optional.empty();
    JsonNode ref = spec.path("issuerRef");
    String kind = Fields.text(ref.path("kind"));
    Certificate.IssuerRef issuer = new Certificate.IssuerRef(Fields.text(ref.path("name")),
        kind.isEmpty() ? "Issuer" : kind, Fields.text(ref.path("group")));
    Certificate.Locations at = new Certificate.Locations(m.at("/spec/duration"), m.at("/spec/renewBefore"),
        m.at("/spec/usages"), m.at("/spec/privateKey"), m.at("/spec/issuerRef"));
    return Optional.of(new Certificate(Fields.ref(m), duration, renewBefore, percentage, Fields.list(spec.path("usages")),
        algorithm.isEmpty() ? "RSA" : algorithm, size, spec.path("isCA").asBoolean(false), issuer, at));
  }

  /** Empty when absent; {@code null} when present but unreadable (already reported). */
  private static Optional<Duration> duration(Manifest m, String field, ModelReader.Problems problems) {
    String raw = Fields.text(m.spec().path(field));
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    Optional<Duration> d = GoDuration.parse(raw);
    if (d.isEmpty()) {
      problems.invalid(m, "/spec/" + field, field + " '" + raw + "' is not a Go duration such as 24h or 2160h0m0s");
      return null;
    }
    return d;
  }
}

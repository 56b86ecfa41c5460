package io.trustmesh.policy.read;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustmesh.policy.model.ObjectRef;
import io.trustmesh.policy.source.Manifest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Small, forgiving accessors for the JSON trees of Kubernetes objects. */
final class Fields {
  private Fields() {}

  static Map<String, String> strings(JsonNode node) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node != null && node.isObject()) {
      node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText("")));
    }
    return out;
  }

  static List<String> list(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node != null && node.isArray()) {
      node.forEach(v -> out.add(v.asText("")));
    }
    return out;
  }

  static ObjectRef ref(Manifest m) {
    return new ObjectRef(m.kind(), m.namespace(), m.name(), m.location());
  }

  static ObjectRef clusterRef(Manifest m) {
    return new ObjectRef(m.kind(), "", m.name(), m.location());
  }

  /** {@code metadata.creationTimestamp}, empty when missing (objects in Git rarely carry one). */
  static Optional<Instant> created(Manifest m, ModelReader.Problems problems) {
    String raw = m.metadata().path("creationTimestamp").asText("");
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(raw));
    } catch (DateTimeParseException e) {
      problems.invalid(m, "/metadata/creationTimestamp", "creationTimestamp '" + raw + "' is not an RFC 3339 time");
      return Optional.empty();
    }
  }

  static String text(JsonNode node) {
    return node == null || node.isMissingNode() || node.isNull() ? "" : node.asText("");
  }
}

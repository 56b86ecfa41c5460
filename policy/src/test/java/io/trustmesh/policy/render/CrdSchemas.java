package io.trustmesh.policy.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The official CRDs in {@code ../shared/schemas/} as JSON Schemas, one per group/version/kind, from
 * each served version's {@code openAPIV3Schema}. Kubernetes extensions are mapped to what they mean:
 * {@code x-kubernetes-int-or-string} accepts an integer or a string; {@code
 * x-kubernetes-preserve-unknown-fields} keeps any field; every other object refuses unknown fields
 * ({@code additionalProperties: false}, as {@code kubectl apply --validate=strict} does) so a typo in
 * a renderer fails here instead of being pruned silently. CEL rules ({@code x-kubernetes-validations})
 * are ignored.
 */
final class CrdSchemas {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);

  private final Map<String, Schema> schemas = new HashMap<>();

  /**
   * {@code ../shared/schemas} seen from the module directory. Absent: the test aborts for a developer
   * without it and fails in CI (a test that skips in CI fails CI).
   */
  static Path directory() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent().resolveSibling("shared").resolve("schemas");
    if (!Files.isDirectory(dir)) {
      String why = "the upstream CRD schemas are not at " + dir + " (the read-only ../shared of the worktree)";
      if (System.getenv("CI") != null) {
        throw new AssertionError(why + "; CI must provide them");
      }
      Assumptions.abort(why + "; skipping the CRD validation");
    }
    return dir;
  }

  static CrdSchemas load(Path dir) throws IOException {
    CrdSchemas out = new CrdSchemas();
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        for (JsonNode crd : YAML.readerFor(JsonNode.class).<JsonNode>readValues(Files.readString(f)).readAll()) {
          if (!crd.path("kind").asText().equals("CustomResourceDefinition")) {
            continue;
          }
          String group = crd.path("spec").path("group").asText();
          String kind = crd.path("spec").path("names").path("kind").asText();
          for (JsonNode v : crd.path("spec").path("versions")) {
            JsonNode schema = v.path("schema").path("openAPIV3Schema");
            out.schemas.put(group + "/" + v.path("name").asText() + "/" + kind,
                REGISTRY.getSchema(withObjectFields(jsonSchema(schema.deepCopy())).toString(), InputFormat.JSON));
          }
        }
      }
    }
    return out;
  }

  int size() {
    return schemas.size();
  }

  Optional<Schema> schema(String apiVersion, String kind) {
    return Optional.ofNullable(schemas.get(apiVersion + "/" + kind));
  }

  static List<String> validate(Schema schema, JsonNode object) {
    return schema.validate(object.toString(), InputFormat.JSON).stream().map(Error::toString).toList();
  }

  /** The API server always accepts apiVersion, kind and metadata at the root, whatever the CRD lists. */
  private static JsonNode withObjectFields(JsonNode root) {
    ObjectNode props = ((ObjectNode) root).with("properties");
    if (!props.has("apiVersion")) {
      props.putObject("apiVersion").put("type", "string");
    }
    if (!props.has("kind")) {
      props.putObject("kind").put("type", "string");
    }
    if (!props.has("metadata")) {
      props.putObject("metadata").put("type", "object");
    }
    return root;
  }

  private static JsonNode jsonSchema(JsonNode node) {
    if (!node.isObject()) {
      return node;
    }
    ObjectNode o = (ObjectNode) node;
    if (o.path("x-kubernetes-int-or-string").asBoolean(false)) {
      o.remove("type");
      ObjectNode anyOf = JsonNodeFactory.instance.objectNode();
      o.putArray("anyOf").add(anyOf.deepCopy().put("type", "integer")).add(anyOf.put("type", "string"));
    }
    boolean preserve = o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    if (o.has("properties") && !preserve && !o.has("additionalProperties")) {
      o.put("additionalProperties", false);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("properties")) {
        e.getValue().fields().forEachRemaining(p -> ((ObjectNode) e.getValue()).set(p.getKey(), jsonSchema(p.getValue())));
      } else if (e.getValue().isObject()) {
        o.set(e.getKey(), jsonSchema(e.getValue()));
      } else if (e.getValue().isArray()) {
        for (int i = 0; i < e.getValue().size(); i++) {
          ((ArrayNode) e.getValue()).set(i, jsonSchema(e.getValue().get(i)));
        }
      }
    }
    return o;
  }
}

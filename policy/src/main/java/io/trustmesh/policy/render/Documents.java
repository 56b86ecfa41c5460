package io.trustmesh.policy.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Multi-document YAML output: one document per object, each preceded by a comment naming the
 * mesh-file line it came from ({@code # from trustmesh.yaml:42}). Objects keep their field order and
 * appear in the order they are added, so the same mesh file always renders the same bytes.
 */
final class Documents {
  private static final YAMLMapper YAML = YAMLMapper.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
      .build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String source;
  private final StringBuilder out = new StringBuilder();

  /** {@code meshFile} is named by its file name only, so output does not depend on the working directory. */
  Documents(String meshFile) {
    Path name = Path.of(meshFile).getFileName();
    this.source = name == null ? meshFile : name.toString();
  }

  static ObjectNode object() {
    return NODES.objectNode();
  }

  static ArrayNode array() {
    return NODES.arrayNode();
  }

  /** A Kubernetes object skeleton: apiVersion, kind, metadata.name (and namespace when not empty). */
  static ObjectNode resource(String apiVersion, String kind, String namespace, String name) {
    ObjectNode o = object();
    o.put("apiVersion", apiVersion);
    o.put("kind", kind);
    ObjectNode meta = o.putObject("metadata");
    meta.put("name", name);
    if (!namespace.isEmpty()) {
      meta.put("namespace", namespace);
    }
    return o;
  }

  /** The mesh file's name as the comments print it. */
  String sourceName() {
    return source;
  }

  Documents add(int line, String what, ObjectNode object) {
    out.append("---\n# from ").append(source).append(line > 0 ? ":" + line : "").append(what.isEmpty() ? "" : " (" + what + ")")
        .append('\n');
    try {
      out.append(YAML.writeValueAsString(object));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  String text() {
    return out.toString();
  }
}

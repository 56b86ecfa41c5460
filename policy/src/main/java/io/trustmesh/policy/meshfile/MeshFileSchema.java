package io.trustmesh.policy.meshfile;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import io.trustmesh.core.spiffe.SpiffeId;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

/**
 * The JSON Schema of the mesh file ({@code trustmesh-mesh.schema.json}, shipped in the jar and in
 * the repository), enforced with networknt's json-schema-validator. Each violation becomes a
 * {@link Violation} with the JSON pointer of the offending field and a message in our words.
 */
final class MeshFileSchema {
  static final String RESOURCE = "/trustmesh-mesh.schema.json";
  private static final Schema SCHEMA = load();

  /** One violation: the field (JSON pointer) and what is wrong with it. */
  record Violation(String pointer, String problem) {}

  private MeshFileSchema() {}

  private static Schema load() {
    try (InputStream in = MeshFileSchema.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE);
      }
      return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in, InputFormat.JSON);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Validates a document given as JSON text. */
  static List<Violation> validate(String json) {
    List<Violation> out = new ArrayList<>();
    for (Error e : SCHEMA.validate(json, InputFormat.JSON)) {
      out.add(describe(e));
    }
    return out;
  }

  private static Violation describe(Error e) {
    String at = pointer(e.getInstanceLocation());
    String value = e.getInstanceNode() == null ? "" : e.getInstanceNode().toString();
    return switch (e.getKeyword()) {
      case "additionalProperties" -> new Violation(at + "/" + escape(e.getProperty()), "unknown field");
      case "propertyNames" -> new Violation(at, "not a namespace name: " + value);
      case "required" -> new Violation(at, "missing required field '" + e.getProperty() + "'");
      case "enum" -> new Violation(at, value + " is not one of " + joined(e));
      case "const" -> new Violation(at, value + " must be " + e.getSchemaNode());
      case "not" -> new Violation(at, "give either 'command' (to start the service) or 'address' (where it already"
          + " listens), not both");
      case "minProperties", "maxProperties" -> new Violation(at,
          "an allow entry has exactly one of spiffeId, prefix, trustDomain");
      case "pattern" -> new Violation(at, patternProblem(e, value));
      default -> new Violation(at, stripLocation(e.getMessage()));
    };
  }

  private static String patternProblem(Error e, String value) {
    String path = e.getSchemaLocation().toString();
    String raw = e.getInstanceNode().asString();
    if (path.contains("spiffeId")) {
      try {
        SpiffeId.parse(raw);
      } catch (RuntimeException bad) {
        return "not a SPIFFE ID: " + bad.getMessage();
      }
      return "not a SPIFFE ID the mesh file accepts (spiffe://TRUST-DOMAIN/PATH, segments of letters, digits, '.', '-', '_'): "
          + value;
    }
    if (path.contains("duration")) {
      return "not a duration like 1h, 30m or 1h30m: " + value;
    }
    if (path.contains("dnsLabel")) {
      return "not a DNS label (lowercase letters, digits and '-', at most 63): " + value;
    }
    if (path.contains("trustDomain")) {
      return "not a trust domain (lowercase letters, digits, '.', '-', '_'): " + value;
    }
    return value + " does not match " + e.getSchemaNode();
  }

  private static String joined(Error e) {
    return String.join(", ", StreamSupport.stream(e.getSchemaNode().spliterator(), false)
        .map(n -> n.asString()).toList());
  }

  private static String stripLocation(String message) {
    int colon = message.indexOf(": ");
    return message.startsWith("$") && colon > 0 ? message.substring(colon + 2) : message;
  }

  static String pointer(NodePath path) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < path.getNameCount(); i++) {
      sb.append('/').append(escape(String.valueOf(path.getElement(i))));
    }
    return sb.toString();
  }

  private static String escape(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }
}

package io.trustmesh.policy.source;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * One Kubernetes object as read from a YAML document, with the line of every field so that
 * findings can point at the exact key ({@code /spec/portLevelMtls/9090}, not just the document).
 */
public final class Manifest {
  private final JsonNode root;
  private final String file;
  private final Map<String, Integer> lines;

  Manifest(JsonNode root, String file, Map<String, Integer> lines) {
    this.root = root;
    this.file = file;
    this.lines = Map.copyOf(lines);
  }

  public JsonNode root() {
    return root;
  }

  public String apiVersion() {
    return root.path("apiVersion").asText("");
  }

  public String group() {
    String v = apiVersion();
    int slash = v.indexOf('/');
    return slash < 0 ? "" : v.substring(0, slash);
  }

  public String version() {
    String v = apiVersion();
    return v.substring(v.indexOf('/') + 1);
  }

  public String kind() {
    return root.path("kind").asText("");
  }

  public String name() {
    return root.path("metadata").path("name").asText("");
  }

  /** The namespace, {@code default} when the document does not say (as {@code kubectl apply} would). */
  public String namespace() {
    String ns = root.path("metadata").path("namespace").asText("");
    return ns.isEmpty() ? "default" : ns;
  }

  public JsonNode spec() {
    return root.path("spec");
  }

  public JsonNode metadata() {
    return root.path("metadata");
  }

  /** Where the document starts. */
  public SourceLocation location() {
    return at("");
  }

  /** Where a field (a JSON pointer such as {@code /spec/selector}) or its closest parent was read. */
  public SourceLocation at(String pointer) {
    String p = pointer;
    while (true) {
      Integer line = lines.get(p);
      if (line != null) {
        return SourceLocation.of(file, line);
      }
      if (p.isEmpty()) {
        return SourceLocation.of(file, 0);
      }
      p = p.substring(0, Math.max(0, p.lastIndexOf('/')));
    }
  }

  public String file() {
    return file;
  }

  @Override
  public String toString() {
    return kind() + " " + namespace() + "/" + name() + " (" + location() + ")";
  }
}

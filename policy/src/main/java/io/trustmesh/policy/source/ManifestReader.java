package io.trustmesh.policy.source;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads multi-document Kubernetes YAML into {@link Manifest}s, remembering the line of every
 * field. Bad YAML never escapes as an exception: it becomes a {@link ReadProblem} naming the file
 * and line, and the documents read before it are kept.
 *
 * <p>A key repeated in one mapping is refused ({@link ReadProblem.Kind#DUPLICATE_KEY}), as
 * {@code kubectl} (sigs.k8s.io/yaml) refuses it: keeping the last value silently would let a
 * reviewer read {@code mode: STRICT} while a later {@code mode: DISABLE} in the same block decides.
 */
public final class ManifestReader {
  /**
   * A {@code kubectl get -A -o yaml} of a real cluster passes SnakeYAML's 3 MB default; 64 MB does
   * not invite memory exhaustion. The alias limit stays at SnakeYAML's default (50), which stops
   * "billion laughs" documents.
   */
  static final int MAX_CODE_POINTS = 64 * 1024 * 1024;

  private static final YAMLFactory YAML = YAMLFactory.builder().loaderOptions(loaderOptions()).build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** What a file held: its objects and what could not be read. */
  public record Result(List<Manifest> manifests, List<ReadProblem> problems) {}

  private static LoaderOptions loaderOptions() {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(MAX_CODE_POINTS);
    return options;
  }

  public Result read(String file, String text) {
    List<Manifest> manifests = new ArrayList<>();
    List<ReadProblem> problems = new ArrayList<>();
    try (Reader reader = new StringReader(text); JsonParser parser = YAML.createParser(reader)) {
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        int line = line(parser.currentTokenLocation());
        if (token == JsonToken.VALUE_NULL || (token == JsonToken.VALUE_STRING && parser.getText().isEmpty())) {
          continue; // an empty document: between two '---', or after a trailing one
        }
        Map<String, Integer> lines = new HashMap<>();
        JsonNode root = readValue(parser, "", lines);
        if (!root.isObject()) {
          problems.add(new ReadProblem(ReadProblem.Kind.MALFORMED,
              "a YAML document must be a mapping with apiVersion and kind, not a " + root.getNodeType().name().toLowerCase(),
              SourceLocation.of(file, line)));
          continue;
        }
        lines.put("", line);
        addObject(file, root, lines, manifests, problems);
      }
    } catch (DuplicateKey e) {
      problems.add(new ReadProblem(ReadProblem.Kind.DUPLICATE_KEY, e.getMessage(), SourceLocation.of(file, e.line)));
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      problems.add(new ReadProblem(ReadProblem.Kind.MALFORMED, "malformed YAML: " + firstLine(e.getOriginalMessage()),
          SourceLocation.of(file, at == null ? 0 : line(at))));
    } catch (IOException e) {
      problems.add(new ReadProblem(ReadProblem.Kind.MALFORMED, "cannot read: " + e.getMessage(), SourceLocation.of(file, 0)));
    }
    return new Result(manifests, problems);
  }

  private static void addObject(String file, JsonNode root, Map<String, Integer> lines, List<Manifest> out,
      List<ReadProblem> problems) {
    String kind = root.path("kind").asText("");
    if (kind.isEmpty() || root.path("apiVersion").asText("").isEmpty()) {
      problems.add(new ReadProblem(ReadProblem.Kind.MALFORMED, "document has no apiVersion or kind",
          SourceLocation.of(file, lines.getOrDefault("", 0))));
      return;
    }
    if (kind.equals("List") && root.path("items").isArray()) {
      ArrayNode items = (ArrayNode) root.path("items");
      for (int i = 0; i < items.size(); i++) {
        String prefix = "/items/" + i;
        Map<String, Integer> itemLines = new HashMap<>();
        lines.forEach((k, v) -> {
          if (k.equals(prefix) || k.startsWith(prefix + "/")) {
            itemLines.put(k.substring(prefix.length()), v);
          }
        });
        addObject(file, items.get(i), itemLines, out, problems);
      }
      return;
    }
    out.add(new Manifest(root, file, lines));
  }

  /** Builds the tree by hand so that every field's line is recorded under its JSON pointer. */
  private static JsonNode readValue(JsonParser parser, String pointer, Map<String, Integer> lines) throws IOException {
    JsonToken token = parser.currentToken();
    lines.putIfAbsent(pointer, line(parser.currentTokenLocation()));
    switch (token) {
      case START_OBJECT: {
        ObjectNode node = NODES.objectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          String child = pointer + "/" + name.replace("~", "~0").replace("/", "~1");
          int at = line(parser.currentTokenLocation());
          if (node.has(name)) {
            throw new DuplicateKey(name, pointer, lines.get(child), at);
          }
          lines.put(child, at);
          parser.nextToken();
          node.set(name, readValue(parser, child, lines));
        }
        return node;
      }
      case START_ARRAY: {
        ArrayNode node = NODES.arrayNode();
        int i = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          node.add(readValue(parser, pointer + "/" + i++, lines));
        }
        return node;
      }
      case VALUE_STRING:
        return NODES.textNode(parser.getText());
      case VALUE_NUMBER_INT:
        return NODES.numberNode(parser.getLongValue());
      case VALUE_NUMBER_FLOAT:
        return NODES.numberNode(parser.getDoubleValue());
      case VALUE_TRUE:
        return NODES.booleanNode(true);
      case VALUE_FALSE:
        return NODES.booleanNode(false);
      default:
        return NODES.nullNode();
    }
  }

  /** A key met twice in one mapping; stops reading the file like any other malformed YAML. */
  private static final class DuplicateKey extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int line;

    DuplicateKey(String key, String pointer, Integer firstLine, int line) {
      super("duplicate key '" + key + "'" + (pointer.isEmpty() ? "" : " in " + pointer.substring(1).replace('/', '.'))
          + (firstLine == null ? "" : " (first at line " + firstLine + ")"), null, false, false);
      this.line = line;
    }
  }

  private static int line(JsonLocation location) {
    return location == null ? 0 : location.getLineNr();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).trim();
  }
}

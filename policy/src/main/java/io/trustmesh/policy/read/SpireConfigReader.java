package io.trustmesh.policy.read;

import com.bertramlabs.plugins.hcl4j.HCLParser;
import com.bertramlabs.plugins.hcl4j.HCLParserException;
import io.trustmesh.policy.model.SpireConfig;
import io.trustmesh.policy.model.SpirePlugin;
import io.trustmesh.policy.source.ReadProblem;
import io.trustmesh.policy.source.SourceLocation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SPIRE's {@code server.conf} and {@code agent.conf} (HCL), parsed with hcl4j. hcl4j returns plain
 * maps without positions, so lines come from a scan of the text for each key and plugin header.
 * Anything hcl4j cannot parse becomes one {@link ReadProblem} with the line it names.
 */
public final class SpireConfigReader {
  private static final Pattern PARSER_LINE = Pattern.compile("(?i)line[: ]+(\\d+)");

  /** A parsed config, or the problem that stopped it. */
  public record Result(Optional<SpireConfig> config, List<ReadProblem> problems) {}

  public Result read(String file, String text) {
    Optional<HclSyntax.Problem> syntax = HclSyntax.check(text);
    if (syntax.isPresent()) {
      return failed(file, syntax.get().line(), "malformed HCL: " + syntax.get().message());
    }
    Map<String, Object> root;
    try {
      root = new HCLParser().parse(text);
    } catch (HCLParserException | IOException | RuntimeException | LinkageError e) {
      return failed(file, lineOf(e.getMessage()), "malformed HCL: " + oneLine(e.getMessage()));
    }
    SpireConfig.Role role;
    Object block;
    if (root.get("server") instanceof Map<?, ?> server) {
      role = SpireConfig.Role.SERVER;
      block = server;
    } else if (root.get("agent") instanceof Map<?, ?> agent) {
      role = SpireConfig.Role.AGENT;
      block = agent;
    } else {
      return failed(file, 1, "not a SPIRE configuration: no 'server { ... }' or 'agent { ... }' block");
    }
    String[] lines = text.split("\n", -1);
    Map<String, String> settings = new LinkedHashMap<>();
    Map<String, SourceLocation> locations = new LinkedHashMap<>();
    String blockName = role == SpireConfig.Role.SERVER ? "server" : "agent";
    int blockLine = find(lines, Pattern.compile("^\\s*" + blockName + "\\s*\\{"), 0);
    ((Map<?, ?>) block).forEach((k, v) -> {
      String key = String.valueOf(k);
      settings.put(key, v instanceof Map || v instanceof List ? String.valueOf(v) : String.valueOf(v));
      locations.put(key, SourceLocation.of(file,
          find(lines, Pattern.compile("^\\s*\"?" + Pattern.quote(key) + "\"?\\s*="), Math.max(0, blockLine - 1))));
    });
    List<SpirePlugin> plugins = new ArrayList<>();
    if (root.get("plugins") instanceof Map<?, ?> types) {
      types.forEach((type, byName) -> {
        if (byName instanceof Map<?, ?> named) {
          named.forEach((name, body) -> {
            Map<String, Object> data = new LinkedHashMap<>();
            if (body instanceof Map<?, ?> b && b.get("plugin_data") instanceof Map<?, ?> pd) {
              pd.forEach((dk, dv) -> data.put(String.valueOf(dk), dv));
            }
            int line = find(lines, Pattern.compile("^\\s*\"?" + Pattern.quote(String.valueOf(type)) + "\"?\\s+\""
                + Pattern.quote(String.valueOf(name)) + "\""), 0);
            plugins.add(new SpirePlugin(String.valueOf(type), String.valueOf(name), data, SourceLocation.of(file, line)));
          });
        }
      });
    }
    return new Result(Optional.of(new SpireConfig(file, role, settings, locations, plugins,
        SourceLocation.of(file, Math.max(1, blockLine)))), List.of());
  }

  private static Result failed(String file, int line, String message) {
    return new Result(Optional.empty(),
        List.of(new ReadProblem(ReadProblem.Kind.MALFORMED, message, SourceLocation.of(file, line))));
  }

  /** 1-based line of the first match at or after {@code from} (0-based), or 0. */
  private static int find(String[] lines, Pattern p, int from) {
    for (int i = from; i < lines.length; i++) {
      if (p.matcher(lines[i]).find()) {
        return i + 1;
      }
    }
    return 0;
  }

  private static int lineOf(String message) {
    if (message == null) {
      return 0;
    }
    Matcher m = PARSER_LINE.matcher(message);
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  private static String oneLine(String s) {
    return s == null ? "parse error" : s.replaceAll("\\s*\\R\\s*", " ").trim();
  }
}

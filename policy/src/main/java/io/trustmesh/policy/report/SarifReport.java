package io.trustmesh.policy.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.policy.Analysis;
import io.trustmesh.policy.rules.Finding;
import io.trustmesh.policy.rules.Reference;
import io.trustmesh.policy.rules.RuleCatalog;
import io.trustmesh.policy.rules.RuleInfo;
import io.trustmesh.policy.rules.Severity;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code analyze --output sarif}: SARIF 2.1.0 with every rule's metadata (id, name, descriptions,
 * help with fix and references, default level) and one result per finding with its file and line,
 * so code scanning annotates the pull request at the offending line.
 */
public final class SarifReport {
  static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
  static final String DOCS = "https://github.com/trustmesh/trustmesh/blob/main/docs/policy-rules.md#";
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private SarifReport() {}

  public static ObjectNode render(Analysis a, String version) {
    ObjectNode root = F.objectNode();
    root.put("$schema", SCHEMA);
    root.put("version", "2.1.0");
    ObjectNode run = root.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", "trustmesh");
    driver.put("version", version);
    driver.put("informationUri", "https://github.com/trustmesh/trustmesh/blob/main/docs/policy.md");
    ArrayNode rules = driver.putArray("rules");
    List<RuleInfo> catalog = RuleCatalog.ALL;
    for (RuleInfo r : catalog) {
      ObjectNode o = rules.addObject();
      o.put("id", r.id());
      o.put("name", r.name());
      o.putObject("shortDescription").put("text", r.summary());
      o.putObject("fullDescription").put("text", r.summary());
      String refs = r.references().stream().map(Reference::display).collect(Collectors.joining(", "));
      ObjectNode help = o.putObject("help");
      help.put("text", "Fix: " + r.fix() + (refs.isEmpty() ? "" : " Supports: " + refs + "."));
      help.put("markdown", "**Fix:** " + r.fix() + (refs.isEmpty() ? "" : "\n\n**Supports:** " + refs));
      o.put("helpUri", DOCS + r.docAnchor());
      o.putObject("defaultConfiguration").put("level", level(r.severity()));
      ObjectNode props = o.putObject("properties");
      ArrayNode tags = props.putArray("tags");
      tags.add("security");
      r.references().forEach(ref -> tags.add(ref.display()));
      props.put("security-severity", switch (r.severity()) {
        case ERROR -> "8.0";
        case WARNING -> "5.0";
        case INFO -> "2.0";
      });
    }
    ArrayNode results = run.putArray("results");
    for (Finding f : a.findings()) {
      ObjectNode o = results.addObject();
      o.put("ruleId", f.rule().id());
      o.put("ruleIndex", catalog.indexOf(f.rule()));
      o.put("level", level(f.severity()));
      o.putObject("message").put("text", f.message() + ". Fix: " + f.fix());
      ObjectNode physical = o.putArray("locations").addObject().putObject("physicalLocation");
      physical.putObject("artifactLocation").put("uri", uri(f.location().file()));
      if (f.location().line() > 0) {
        physical.putObject("region").put("startLine", f.location().line());
      }
    }
    return root;
  }

  static String level(Severity s) {
    return switch (s) {
      case ERROR -> "error";
      case WARNING -> "warning";
      case INFO -> "note";
    };
  }

  /** Relative paths as given (code scanning resolves them against the checkout); stdin has none. */
  private static String uri(String file) {
    if (file.equals("-")) {
      return "stdin";
    }
    String f = file.startsWith("./") ? file.substring(2) : file;
    return f.replace('\\', '/').replace(" ", "%20");
  }
}

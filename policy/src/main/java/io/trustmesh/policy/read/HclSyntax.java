package io.trustmesh.policy.read;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Structural checks hcl4j does not make: it accepts unclosed blocks, stray closing braces and
 * {@code key =} without a value (returning a flattened or null-valued map). It also evaluates
 * {@code data} blocks (an HTTP fetch) and functions ({@code file("/path")}) while parsing, which
 * SPIRE's HCL does not have and which would let a file under analysis read other files or reach
 * the network: both are refused here. Run before parsing so that a bad file is one clear error with
 * its line and hcl4j never sees it.
 */
final class HclSyntax {
  private static final Pattern DATA_BLOCK = Pattern.compile("^\\s*data\\s+\"");
  private static final Pattern MISSING_VALUE = Pattern.compile("^\\s*\"?[A-Za-z0-9_.-]+\"?\\s*=\\s*(#.*|//.*)?$");

  /** A syntax problem: 1-based line and what is wrong. */
  record Problem(int line, String message) {}

  private HclSyntax() {}

  static Optional<Problem> check(String text) {
    Deque<int[]> open = new ArrayDeque<>(); // {char, line}
    int line = 1;
    boolean inString = false;
    boolean blockComment = false;
    String[] lines = text.split("\n", -1);
    for (int l = 0; l < lines.length; l++) {
      if (MISSING_VALUE.matcher(lines[l]).matches()) {
        return Optional.of(new Problem(l + 1, "'" + lines[l].trim() + "' has no value"));
      }
      if (DATA_BLOCK.matcher(lines[l]).find()) {
        // hcl4j evaluates data blocks while parsing (data "http" fetches a URL): never for a file under analysis.
        return Optional.of(new Problem(l + 1, "data blocks are not SPIRE configuration"));
      }
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      char next = i + 1 < text.length() ? text.charAt(i + 1) : '\0';
      if (c == '\n') {
        if (inString) {
          return Optional.of(new Problem(line, "string not closed before the end of the line"));
        }
        line++;
        continue;
      }
      if (blockComment) {
        if (c == '*' && next == '/') {
          blockComment = false;
          i++;
        }
        continue;
      }
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
        continue;
      }
      if (c == '#' || (c == '/' && next == '/')) {
        while (i + 1 < text.length() && text.charAt(i + 1) != '\n') {
          i++;
        }
      } else if (c == '/' && next == '*') {
        blockComment = true;
        i++;
      } else if (c == '"') {
        inString = true;
      } else if (c == '(' && i > 0 && (Character.isLetterOrDigit(text.charAt(i - 1)) || text.charAt(i - 1) == '_')) {
        // hcl4j evaluates functions such as file("/etc/...") while parsing; SPIRE's HCL has none, and a
        // file under analysis must not make us read other files into the output.
        return Optional.of(new Problem(line, "function calls are not SPIRE configuration"));
      } else if (c == '{' || c == '[' || c == '(') {
        open.push(new int[] {c, line});
      } else if (c == '}' || c == ']' || c == ')') {
        char want = c == '}' ? '{' : c == ']' ? '[' : '(';
        if (open.isEmpty() || open.peek()[0] != want) {
          return Optional.of(new Problem(line, "'" + c + "' without a matching '" + want + "'"));
        }
        open.pop();
      }
    }
    if (blockComment) {
      return Optional.of(new Problem(line, "comment not closed"));
    }
    if (!open.isEmpty()) {
      int[] o = open.peek();
      return Optional.of(new Problem(o[1], "'" + (char) o[0] + "' is never closed"));
    }
    return Optional.empty();
  }
}

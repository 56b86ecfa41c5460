package io.trustmesh.doctor.expiry;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds certificate-bearing values in Kubernetes manifests and kubeconfigs as {@code kubectl}
 * writes them (YAML, or JSON with {@code -o json}): base64 values of Secret {@code data}
 * ({@code tls.crt}, {@code ca.crt}) and of kubeconfig fields ({@code certificate-authority-data},
 * {@code client-certificate-data}), and PEM text in ConfigMap {@code data} or Secret
 * {@code stringData} block scalars. It reads line by line, not as a general YAML parser: anchors,
 * flow mappings and folded base64 are not followed.
 */
final class Manifests {
  /** A value that must be decoded (base64) or is already text (a block scalar). */
  record Value(String namespace, String name, String key, byte[] bytes) {}

  private static final Pattern DOC_SPLIT = Pattern.compile("(?m)^---\\s*$");
  private static final Pattern KEY_B64 = Pattern.compile("^\\s*\"?([A-Za-z0-9._-]+)\"?\\s*:\\s*\"?([A-Za-z0-9+/]{40,}={0,2})\"?,?\\s*$");
  private static final Pattern KEY_BLOCK = Pattern.compile("^(\\s*)\"?([A-Za-z0-9._-]+)\"?\\s*:\\s*[|>][-+]?\\s*$");
  private static final Pattern METADATA = Pattern.compile("^(\\s*)metadata\\s*:\\s*$");
  private static final Pattern FIELD = Pattern.compile("^(\\s*)(name|namespace)\\s*:\\s*\"?([^\"\\s#]+)\"?\\s*$");

  private Manifests() {}

  static boolean looksLikeManifest(String text) {
    return text.contains("apiVersion") && (text.contains("kind")) || text.contains("certificate-authority-data")
        || text.contains("client-certificate-data");
  }

  static List<Value> values(String text) {
    List<Value> out = new ArrayList<>();
    for (String doc : DOC_SPLIT.split(text)) {
      out.addAll(valuesOfDocument(doc));
    }
    return out;
  }

  private static List<Value> valuesOfDocument(String doc) {
    List<Value> out = new ArrayList<>();
    {
      String[] lines = doc.split("\\R");
      String namespace = null;
      String name = null;
      int metaIndent = -1;
      for (int i = 0; i < lines.length; i++) {
        String line = lines[i];
        Matcher meta = METADATA.matcher(line);
        if (meta.matches() && name == null) {
          metaIndent = meta.group(1).length();
          continue;
        }
        Matcher f = FIELD.matcher(line);
        if (metaIndent >= 0 && f.matches() && f.group(1).length() > metaIndent) {
          if (f.group(2).equals("name") && name == null) {
            name = f.group(3);
          } else if (f.group(2).equals("namespace") && namespace == null) {
            namespace = f.group(3);
          }
          continue;
        }
        if (metaIndent >= 0 && !line.isBlank() && indent(line) <= metaIndent) {
          metaIndent = -1;
        }
        Matcher b64 = KEY_B64.matcher(line);
        if (b64.matches()) {
          try {
            out.add(new Value(namespace, name, b64.group(1), Base64.getDecoder().decode(b64.group(2))));
          } catch (IllegalArgumentException notBase64) {
            // a long token that only looked like base64
          }
          continue;
        }
        Matcher block = KEY_BLOCK.matcher(line);
        if (block.matches()) {
          int own = block.group(1).length();
          StringBuilder body = new StringBuilder();
          int j = i + 1;
          while (j < lines.length && (lines[j].isBlank() || indent(lines[j]) > own)) {
            body.append(lines[j].trim()).append('\n');
            j++;
          }
          if (body.indexOf("-----BEGIN CERTIFICATE-----") >= 0) {
            out.add(new Value(namespace, name, block.group(2), body.toString().getBytes(StandardCharsets.US_ASCII)));
          }
          i = j - 1;
        }
      }
      // metadata may come after data in hand-written manifests: fill in the names found later
      for (int k = 0; k < out.size(); k++) {
        Value v = out.get(k);
        if (v.name() == null && name != null) {
          out.set(k, new Value(namespace, name, v.key(), v.bytes()));
        }
      }
    }
    return out;
  }

  private static int indent(String line) {
    int n = 0;
    while (n < line.length() && line.charAt(n) == ' ') {
      n++;
    }
    return n;
  }
}

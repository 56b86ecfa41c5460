package io.trustmesh.core.ca;

import io.trustmesh.core.BadInputException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Validation of DNS names for subject alternative names (RFC 1123 labels, optional leading wildcard). */
final class DnsNames {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  private DnsNames() {}

  static String validate(String raw) {
    String name = raw == null ? "" : raw.toLowerCase(Locale.ROOT);
    if (name.isEmpty() || name.length() > 253) {
      throw new BadInputException("invalid DNS name '" + raw + "' (1 to 253 characters)");
    }
    String[] labels = name.split("\\.", -1);
    for (int i = 0; i < labels.length; i++) {
      if (i == 0 && labels[i].equals("*") && labels.length > 2) {
        continue;
      }
      if (!LABEL.matcher(labels[i]).matches()) {
        throw new BadInputException("invalid DNS name '" + raw + "': label '" + labels[i]
            + "' must be letters, digits and inner hyphens");
      }
    }
    return name;
  }
}

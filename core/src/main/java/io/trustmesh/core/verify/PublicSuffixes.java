package io.trustmesh.core.verify;

import java.io.IOException;
import java.net.IDN;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The ICANN section of the Public Suffix List, read from the system copy (Debian/Ubuntu package
 * {@code publicsuffix}: {@value #SYSTEM_LIST}) or from the file named by the system property
 * {@value #PROPERTY}. A wildcard whose suffix is a public suffix ({@code *.com}, {@code *.co.uk})
 * matches nothing. Without a list, a single-label suffix ({@code *.com}) is the only one recognised.
 *
 * <p>The PRIVATE section ({@code github.io}, {@code s3.amazonaws.com}) is left out on purpose: the
 * owner of such a namespace may hold a wildcard over it (CA/B BR 3.2.2.6), real services do
 * ({@code *.s3.amazonaws.com}), and browsers match them.
 */
final class PublicSuffixes {
  static final String SYSTEM_LIST = "/usr/share/publicsuffix/public_suffix_list.dat";
  static final String PROPERTY = "trustmesh.publicSuffixList";

  private static volatile PublicSuffixes instance;

  private final Set<String> rules;
  private final Set<String> exceptions;
  private final Path source;

  private PublicSuffixes(Set<String> rules, Set<String> exceptions, Path source) {
    this.rules = rules;
    this.exceptions = exceptions;
    this.source = source;
  }

  static PublicSuffixes get() {
    PublicSuffixes p = instance;
    if (p == null) {
      p = load(Path.of(System.getProperty(PROPERTY, SYSTEM_LIST)));
      instance = p;
    }
    return p;
  }

  /** {@code file} when it can be read as the UTF-8 text {@link #load} parses, else null. */
  static Path readable(Path file) {
    try {
      StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file)));
      return file;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  static PublicSuffixes load(Path file) {
    Set<String> rules = new HashSet<>();
    Set<String> exceptions = new HashSet<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String l = line.strip();
        if (l.contains("===BEGIN PRIVATE DOMAINS===")) {
          break;
        }
        int space = l.indexOf(' ');
        if (space >= 0) {
          l = l.substring(0, space);
        }
        if (l.isEmpty() || l.startsWith("//")) {
          continue;
        }
        if (l.startsWith("!")) {
          exceptions.add(ascii(l.substring(1)));
        } else {
          rules.add(ascii(l));
        }
      }
      return new PublicSuffixes(Set.copyOf(rules), Set.copyOf(exceptions), file);
    } catch (IOException | RuntimeException e) {
      return new PublicSuffixes(Set.of(), Set.of(), null);
    }
  }

  private static String ascii(String name) {
    try {
      return IDN.toASCII(name, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return name.toLowerCase(Locale.ROOT);
    }
  }

  /** Where the list came from; null when none could be read. */
  Path source() {
    return source;
  }

  /** True when {@code domain} (lowercase, no trailing dot) is a public suffix. */
  boolean isPublicSuffix(String domain) {
    if (!domain.contains(".")) {
      return true; // the implicit "*" rule: every TLD
    }
    if (exceptions.contains(domain)) {
      return false;
    }
    if (rules.contains(domain)) {
      return true;
    }
    String parent = domain.substring(domain.indexOf('.') + 1);
    return rules.contains("*." + parent) && !exceptions.contains(domain);
  }
}

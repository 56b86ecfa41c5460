package io.trustmesh.core.verify;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether the Public Suffix List that wildcard checks rely on could be read (issue 9 item 15:
 * without it, {@code *.co.uk} passed silently). Start-up banners and {@code trustmesh version} say
 * so loudly when it is missing.
 */
public final class PublicSuffixList {
  private PublicSuffixList() {}

  /** The file the verifier reads: {@code -Dtrustmesh.publicSuffixList}, else the system list. */
  public static Path configuredFile() {
    return Path.of(System.getProperty(PublicSuffixes.PROPERTY, PublicSuffixes.SYSTEM_LIST));
  }

  /**
   * The file the verifier will read, or empty when it is missing or unreadable. Only reads it as
   * text: parsing its ~7,000 rules (each through {@code IDN.toASCII} and the JDK's ICU tables) cost
   * every sidecar start ~0.3 s of CPU for a list that only wildcard DNS checks consult, on first use.
   */
  public static Optional<Path> loadedFrom() {
    return Optional.ofNullable(PublicSuffixes.readable(configuredFile()));
  }

  /** One line for a log or a banner when the list is missing; empty when it was read. */
  public static Optional<String> missingWarning() {
    if (loadedFrom().isPresent()) {
      return Optional.empty();
    }
    return Optional.of("Public Suffix List " + configuredFile() + " is missing or unreadable: wildcard "
        + "certificates are checked against single-label suffixes only (*.com is refused, *.co.uk is "
        + "accepted); install the publicsuffix package or pass -D" + PublicSuffixes.PROPERTY + "=FILE");
  }
}

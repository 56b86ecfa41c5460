package io.trustmesh.cli;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.time.Durations;
import io.trustmesh.core.verify.Usage;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/** Turns command-line strings into domain types; a bad value becomes a one-line usage error. */
final class Converters {
  private Converters() {}

  static void register(CommandLine cl) {
    cl.registerConverter(Duration.class, s -> wrap(() -> Durations.parse(s)));
    cl.registerConverter(SpiffeId.class, s -> wrap(() -> SpiffeId.parse(s)));
    cl.registerConverter(TrustDomain.class, s -> wrap(() -> TrustDomain.parse(s)));
    cl.registerConverter(KeyType.class, s -> wrap(() -> KeyType.parse(s)));
    cl.registerConverter(Usage.class, s -> wrap(() -> Usage.parse(s)));
    cl.registerConverter(Instant.class, Converters::instant);
  }

  private interface Parse<T> {
    T get();
  }

  private static <T> T wrap(Parse<T> p) {
    try {
      return p.get();
    } catch (BadInputException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }

  /** ISO-8601 instants ({@code 2026-01-01T00:00:00Z}), offsets, or plain dates (midnight UTC). */
  static Instant instant(String s) {
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e1) {
      try {
        return OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeParseException e2) {
        try {
          return LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e3) {
          throw new TypeConversionException(
              "invalid time '" + s + "' (expected ISO-8601, e.g. 2026-01-31T12:00:00Z or 2026-01-31)");
        }
      }
    }
  }
}

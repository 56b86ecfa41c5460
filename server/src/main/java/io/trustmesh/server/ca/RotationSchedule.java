package io.trustmesh.server.ca;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.time.Durations;
import java.time.Duration;
import java.time.Instant;

/**
 * When a signing CA is prepared and activated, as fractions of the current CA's lifetime: the
 * successor is minted and published in the bundle at 1/2, and takes over signing at 5/6. Between
 * the two, every relying party has time to fetch a bundle that trusts both. The retiring CA stays
 * in the bundle until every SVID it signed has expired.
 *
 * <p>A CA signs from its activation until 5/6 of its life; an SVID it signs at the last moment
 * may live at most the remaining 1/6 (it would otherwise be cut short at the CA's expiry). Hence
 * the rule {@code svid_ttl <= ca_ttl / 6}.
 */
public final class RotationSchedule {
  public static final Duration DEFAULT_CA_TTL = Duration.ofHours(168);

  private RotationSchedule() {}

  public static Instant prepareAt(Instant created, Instant notAfter) {
    return created.plus(Duration.between(created, notAfter).dividedBy(2));
  }

  public static Instant activateAt(Instant created, Instant notAfter) {
    return created.plus(Duration.between(created, notAfter).multipliedBy(5).dividedBy(6));
  }

  /** The longest SVID TTL a signing CA of {@code caTtl} can honour. */
  public static Duration maxSvidTtl(Duration caTtl) {
    return caTtl.dividedBy(6);
  }

  /** Refuses an SVID TTL the schedule cannot honour, explaining the arithmetic. */
  public static void check(Duration caTtl, Duration svidTtl, String what) {
    Duration max = maxSvidTtl(caTtl);
    if (svidTtl.compareTo(max) > 0) {
      throw new BadInputException(what + " " + Durations.format(svidTtl) + " exceeds what a "
          + Durations.format(caTtl) + " signing CA can honour: a signing CA is replaced at 5/6 of its life, so the "
          + "last SVIDs it signs can live at most 1/6 of it (" + Durations.format(caTtl) + " / 6 = "
          + Durations.format(max) + "); lower the SVID TTL to " + Durations.format(max)
          + " or raise --ca-ttl to at least " + Durations.format(svidTtl.multipliedBy(6)));
    }
  }
}

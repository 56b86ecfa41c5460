package io.trustmesh.agent;

import io.trustmesh.core.svid.X509Svid;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * When the agent renews: each SVID at half of its remaining lifetime (measured from when it was
 * received, since notBefore is backdated for clock skew) plus up to a tenth of it at random, so that
 * agents do not renew in lockstep; and how long to wait between syncs, doubling after each failure
 * up to a ceiling and back to the normal interval after a success. A forced re-issue
 * ({@code trustmesh rotate --svids}) makes every SVID whose notBefore predates the server's mark due
 * at once.
 *
 * <pre>{@code
 * SvidRotator r = new SvidRotator(clock, Duration.ofSeconds(5), Duration.ofSeconds(30));
 * r.issued("entry-1", svid);      // due at about half-life
 * if (r.due("entry-1")) { ... }
 * Duration wait = r.failed();      // 10s, 20s, 30s, 30s, ...
 * }</pre>
 */
final class SvidRotator {
  private final Clock clock;
  private final Duration interval;
  private final Duration maxBackoff;
  /** Random jitter in [0, bound) milliseconds; injected so that tests can pin it. */
  private final LongUnaryOperator jitter;
  private final Map<String, Instant> renewAt = new ConcurrentHashMap<>();
  private volatile Instant agentRenewAt = Instant.EPOCH;
  /** Forced re-issue (trustmesh rotate --svids): an SVID whose notBefore is earlier is due at once. */
  private volatile Instant reissueNotBefore = Instant.EPOCH;
  private volatile Duration backoff;

  SvidRotator(Clock clock, Duration interval, Duration maxBackoff) {
    this(clock, interval, maxBackoff,
        bound -> ThreadLocalRandom.current().nextLong(bound));
  }

  SvidRotator(Clock clock, Duration interval, Duration maxBackoff, LongUnaryOperator jitter) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("sync interval must be positive: " + interval);
    }
    this.clock = clock;
    this.interval = interval;
    this.maxBackoff = maxBackoff.compareTo(interval) < 0 ? interval : maxBackoff;
    this.jitter = jitter;
    this.backoff = interval;
  }

  /** When an SVID received now should be renewed. */
  Instant renewalTime(X509Svid svid) {
    Instant now = clock.instant();
    Duration life = Duration.between(now, svid.leaf().getNotAfter().toInstant());
    if (life.isNegative() || life.isZero()) {
      return now;
    }
    long spread = jitter.applyAsLong(Math.max(1, life.toMillis() / 10));
    return now.plus(life.dividedBy(2)).plusMillis(spread);
  }

  /** Records a newly received workload SVID. */
  void issued(String entryId, X509Svid svid) {
    renewAt.put(entryId, renewalTime(svid));
  }

  /** Whether the SVID of {@code entryId} is due (or was never issued). */
  boolean due(String entryId) {
    return !clock.instant().isBefore(renewAt.getOrDefault(entryId, Instant.EPOCH));
  }

  /** Whether {@code held}, the SVID of {@code entryId}, is due: by time, or by a forced re-issue. */
  boolean due(String entryId, X509Svid held) {
    return due(entryId) || predatesReissue(held);
  }

  /**
   * The server's forced re-issue mark, as each sync reports it: every SVID whose notBefore is earlier
   * is due now. It never moves backwards (a server with an older view cannot undo a re-issue).
   */
  void reissueNotBefore(Instant mark) {
    if (mark.isAfter(reissueNotBefore)) {
      reissueNotBefore = mark;
    }
  }

  private boolean predatesReissue(X509Svid svid) {
    return svid.leaf().getNotBefore().toInstant().isBefore(reissueNotBefore);
  }

  void forget(String entryId) {
    renewAt.remove(entryId);
  }

  void agentIssued(X509Svid svid) {
    agentRenewAt = renewalTime(svid);
  }

  boolean agentDue() {
    return !clock.instant().isBefore(agentRenewAt);
  }

  /** Whether the agent's own SVID {@code held} is due: by time, or by a forced re-issue. */
  boolean agentDue(X509Svid held) {
    return agentDue() || (held != null && predatesReissue(held));
  }

  /** A sync succeeded: the next one after the normal interval. */
  Duration succeeded() {
    backoff = interval;
    return backoff;
  }

  /** A sync failed: wait twice as long as last time, at most the ceiling. */
  Duration failed() {
    Duration d = backoff.multipliedBy(2);
    backoff = d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    return backoff;
  }
}

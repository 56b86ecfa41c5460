package io.trustmesh.server.federation;

import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.server.SpiffeBundleJson;
import io.trustmesh.server.datastore.DataStore;
import io.trustmesh.server.datastore.FederationRelationship;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every federated bundle fresh: fetches each one at its refresh hint, and on any error
 * (unreachable, garbage, an older {@code spiffe_sequence}, a wrong endpoint identity) keeps the
 * last good bundle, records the error and retries with exponential backoff. Driven by
 * {@link #tick()} on an injected clock, so tests step time instead of sleeping.
 */
public final class FederationRefresher {
  private static final Logger LOG = LoggerFactory.getLogger(FederationRefresher.class);
  /** Bounds on the endpoint's refresh hint: a hostile hint can neither hammer it nor stall us. */
  static final Duration MIN_REFRESH = Duration.ofSeconds(1);
  static final Duration MAX_REFRESH = Duration.ofHours(1);
  static final Duration DEFAULT_REFRESH = Duration.ofMinutes(5);
  static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  static final Duration MAX_RETRY = Duration.ofMinutes(5);

  private final DataStore store;
  private final BundleFetcher fetcher;
  private final Clock clock;
  private final Map<TrustDomain, Schedule> schedules = new ConcurrentHashMap<>();

  private record Schedule(Instant next, Duration backoff) {}

  public FederationRefresher(DataStore store, BundleFetcher fetcher, Clock clock) {
    this.store = store;
    this.fetcher = fetcher;
    this.clock = clock;
  }

  /** Fetches every bundle that is due. */
  public void tick() {
    Instant now = clock.instant();
    List<FederationRelationship> all = store.listFederations();
    Set<TrustDomain> present = new HashSet<>();
    for (FederationRelationship f : all) {
      present.add(f.trustDomain());
      Schedule s = schedules.get(f.trustDomain());
      if (s == null || !now.isBefore(s.next())) {
        refresh(f, s, now);
      }
    }
    schedules.keySet().retainAll(present);
  }

  private void refresh(FederationRelationship f, Schedule previous, Instant now) {
    String error;
    try {
      SpiffeBundle b = fetcher.fetch(f);
      if (b.sequence() < f.sequence()) {
        error = "bundle endpoint served spiffe_sequence " + b.sequence() + ", older than the last good "
            + f.sequence() + "; keeping the last good bundle";
      } else {
        String json = SpiffeBundleJson.render(b.x509Authorities(), b.jwtAuthoritiesJwks(), b.sequence(),
            b.refreshHint().orElse(DEFAULT_REFRESH));
        if (store.saveFederatedBundle(f.trustDomain(), json, b.sequence(), now)) {
          if (b.sequence() != f.sequence()) {
            LOG.info("federated bundle of {} updated to sequence {} ({} X.509 authorities)", f.trustDomain().name(),
                b.sequence(), b.x509Authorities().size());
          }
        }
        Duration hint = b.refreshHint().orElse(DEFAULT_REFRESH);
        hint = hint.compareTo(MIN_REFRESH) < 0 ? MIN_REFRESH : hint.compareTo(MAX_REFRESH) > 0 ? MAX_REFRESH : hint;
        schedules.put(f.trustDomain(), new Schedule(now.plus(hint), null));
        return;
      }
    } catch (IOException | RuntimeException e) {
      error = "fetching " + f.bundleEndpointUrl() + ": " + describe(e) + "; keeping the last good bundle";
    }
    Duration backoff = previous == null || previous.backoff() == null ? FIRST_RETRY
        : previous.backoff().multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : previous.backoff().multipliedBy(2);
    LOG.warn("federation {}: {} (retry in {}s)", f.trustDomain().name(), error, backoff.toSeconds());
    try {
      store.recordFederationError(f.trustDomain(), error);
    } catch (RuntimeException e) {
      LOG.warn("recording the federation error failed: {}", e.toString());
    }
    schedules.put(f.trustDomain(), new Schedule(now.plus(backoff), backoff));
  }

  private static String describe(Throwable e) {
    Throwable c = e;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    String m = c.getMessage();
    return m == null ? c.getClass().getSimpleName() : m;
  }

  /** {@code trustmesh_federated_bundle_age_seconds{trust_domain}}, in the Prometheus text format. */
  public String renderMetrics() {
    StringBuilder b = new StringBuilder();
    b.append("# HELP trustmesh_federated_bundle_age_seconds Seconds since the federated bundle was last fetched"
        + " successfully.\n# TYPE trustmesh_federated_bundle_age_seconds gauge\n");
    StringBuilder errors = new StringBuilder("# HELP trustmesh_federated_bundle_fetch_failing 1 while the last fetch"
        + " failed (see 'trustmesh federation show').\n# TYPE trustmesh_federated_bundle_fetch_failing gauge\n");
    Instant now = clock.instant();
    for (FederationRelationship f : store.listFederations()) {
      String label = "{trust_domain=\"" + f.trustDomain().name() + "\"} ";
      b.append("trustmesh_federated_bundle_age_seconds").append(label)
          .append(Math.max(0, Duration.between(f.refreshedAt(), now).toSeconds())).append('\n');
      errors.append("trustmesh_federated_bundle_fetch_failing").append(label)
          .append(f.lastError().isEmpty() ? 0 : 1).append('\n');
    }
    return b.append(errors).toString();
  }
}

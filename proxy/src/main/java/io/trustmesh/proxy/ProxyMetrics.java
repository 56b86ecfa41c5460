package io.trustmesh.proxy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.trustmesh.core.diagnosis.Cause;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sidecar's Prometheus metrics:
 *
 * <ul>
 *   <li>{@code trustmesh_proxy_connections_total{listener,direction,tls,result}}
 *   <li>{@code trustmesh_proxy_handshake_failures_total{listener,direction,reason}}: reason is a
 *       {@link Cause} code (bounded, the codes {@code trustmesh doctor} prints)
 *   <li>{@code trustmesh_proxy_bytes_total{listener,direction,flow}} (flow: from_client, to_client;
 *       counted when a connection ends)
 *   <li>{@code trustmesh_proxy_active_connections{listener}}
 *   <li>{@code trustmesh_proxy_reloads_total{result}}
 *   <li>{@code trustmesh_proxy_svid_expiry_timestamp_seconds} (not-after of the SVID in service)
 *   <li>{@code trustmesh_proxy_access_log_dropped_total}: access-log lines dropped because the
 *       writer could not keep up (the connections are still counted above)
 * </ul>
 */
final class ProxyMetrics {
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentHashMap<String, AtomicInteger> active = new ConcurrentHashMap<>();
  private final AtomicLong svidNotAfter = new AtomicLong();
  private final Counter accessLogDropped;
  private final ConcurrentHashMap<OutcomeKey, Outcome> outcomes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<BytesKey, Counter> bytes = new ConcurrentHashMap<>();

  ProxyMetrics() {
    Gauge.builder("trustmesh.proxy.svid.expiry.timestamp.seconds", svidNotAfter, AtomicLong::get)
        .description("Not-after of the X.509-SVID in service, Unix seconds").register(registry);
    reload("ok", 0);
    reload("failed", 0);
    accessLogDropped = Counter.builder("trustmesh.proxy.access.log.dropped")
        .description("Access-log lines dropped because the writer could not keep up").register(registry);
  }

  void accessLogDropped() {
    accessLogDropped.increment();
  }

  AtomicInteger active(String listener) {
    return active.computeIfAbsent(listener, l -> {
      AtomicInteger a = new AtomicInteger();
      Gauge.builder("trustmesh.proxy.active.connections", a, AtomicInteger::get)
          .description("Client connections open now").tag("listener", l).register(registry);
      return a;
    });
  }

  void connectionEnded(Connection c) {
    // one lookup per connection in a map of our own: building and registering the meter again for
    // every connection (id, sorted tags, the registry's filters) cost more than the counting
    Outcome o = outcomes.computeIfAbsent(new OutcomeKey(c.listener, c.direction, c.tlsLabel(), c.result,
        c.result.equals(Connection.HANDSHAKE_FAILED) || c.result.equals(Connection.DENIED)
            ? (c.cause == null ? Cause.HANDSHAKE_FAILURE : c.cause).code() : null), this::register);
    o.connections.increment();
    if (o.failures != null) {
      o.failures.increment();
    }
    if (c.bytesFromClient > 0) {
      bytes.computeIfAbsent(new BytesKey(c.listener, c.direction, "from_client"), this::bytes)
          .increment(c.bytesFromClient);
    }
    if (c.bytesToClient > 0) {
      bytes.computeIfAbsent(new BytesKey(c.listener, c.direction, "to_client"), this::bytes)
          .increment(c.bytesToClient);
    }
  }

  /** What one connection's end is counted under; {@code failure} is the reason code of a failed or refused handshake. */
  private record OutcomeKey(String listener, String direction, String tls, String result, String failure) {}

  private record Outcome(Counter connections, Counter failures) {}

  private record BytesKey(String listener, String direction, String flow) {}

  private Outcome register(OutcomeKey k) {
    Counter connections = Counter.builder("trustmesh.proxy.connections").description("Client connections by outcome")
        .tags("listener", k.listener(), "direction", k.direction(), "tls", k.tls(), "result", k.result())
        .register(registry);
    Counter failures = k.failure() == null ? null
        : Counter.builder("trustmesh.proxy.handshake.failures").description("Failed or refused handshakes by reason")
            .tags("listener", k.listener(), "direction", k.direction(), "reason", k.failure()).register(registry);
    return new Outcome(connections, failures);
  }

  private Counter bytes(BytesKey k) {
    return Counter.builder("trustmesh.proxy.bytes").baseUnit("bytes").description("Application bytes relayed")
        .tags("listener", k.listener(), "direction", k.direction(), "flow", k.flow()).register(registry);
  }

  void reload(String result, double amount) {
    Counter.builder("trustmesh.proxy.reloads").description("Identity reloads by result").tag("result", result)
        .register(registry).increment(amount);
  }

  void svidNotAfter(long epochSeconds) {
    svidNotAfter.set(epochSeconds);
  }

  String scrape() {
    return registry.scrape();
  }
}

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
    Counter.builder("trustmesh.proxy.connections").description("Client connections by outcome")
        .tags("listener", c.listener, "direction", c.direction, "tls", c.tlsLabel(), "result", c.result)
        .register(registry).increment();
    if (c.result.equals(Connection.HANDSHAKE_FAILED) || c.result.equals(Connection.DENIED)) {
      Counter.builder("trustmesh.proxy.handshake.failures").description("Failed or refused handshakes by reason")
          .tags("listener", c.listener, "direction", c.direction,
              "reason", (c.cause == null ? Cause.HANDSHAKE_FAILURE : c.cause).code())
          .register(registry).increment();
    }
    if (c.bytesFromClient > 0) {
      bytes(c, "from_client").increment(c.bytesFromClient);
    }
    if (c.bytesToClient > 0) {
      bytes(c, "to_client").increment(c.bytesToClient);
    }
  }

  private Counter bytes(Connection c, String flow) {
    return Counter.builder("trustmesh.proxy.bytes").baseUnit("bytes").description("Application bytes relayed")
        .tags("listener", c.listener, "direction", c.direction, "flow", flow).register(registry);
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

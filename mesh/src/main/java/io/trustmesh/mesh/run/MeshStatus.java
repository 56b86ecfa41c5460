package io.trustmesh.mesh.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.core.time.Durations;
import io.trustmesh.mesh.state.MeshState;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The health of a running mesh as its state says and its parts answer: the supervising process,
 * each service's process (same pid AND same start time as recorded), each sidecar's {@code /ready}
 * and the SVID it presents ({@code /certs}), and the connections its access logs counted. Used by
 * {@code trustmesh status} and by the live table of {@code trustmesh up}.
 */
public final class MeshStatus {
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** One client for every probe: the live table probes every 2 s, and each client owns a selector thread. */
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();

  /** One service's line. */
  public record ServiceStatus(String name, String namespace, String spiffeId, Optional<Long> pid,
      Optional<Boolean> processAlive, List<String> ports, Optional<Instant> svidNotAfter, TrafficCounts.Counts counts,
      List<String> problems) {}

  private final MeshState state;
  private final boolean supervisorAlive;
  private final List<ServiceStatus> services;
  private final Instant now;

  private MeshStatus(MeshState state, boolean supervisorAlive, List<ServiceStatus> services, Instant now) {
    this.state = state;
    this.supervisorAlive = supervisorAlive;
    this.services = services;
    this.now = now;
  }

  /** Probes every part of {@code state}; {@code supervisorAlive} is decided by the caller (the lock). */
  public static MeshStatus probe(MeshState state, boolean supervisorAlive, TrafficCounts counts, Clock clock) {
    HttpClient http = HTTP;
    counts.refresh();
    List<ServiceStatus> out = new ArrayList<>();
    for (MeshState.Service s : state.services()) {
      List<String> problems = new ArrayList<>();
      Optional<Long> pid = Optional.ofNullable(s.process()).map(MeshState.ProcessInfo::pid);
      Optional<Boolean> alive = Optional.ofNullable(s.process()).map(Processes::isSame);
      if (alive.isPresent() && !alive.get()) {
        problems.add("process " + pid.get() + " is not running");
      }
      List<String> ports = new ArrayList<>();
      Set<String> admins = new LinkedHashSet<>();
      for (MeshState.Sidecar sc : s.sidecars()) {
        ports.add(sc.kind().equals(MeshState.Sidecar.INBOUND) ? sc.port() + " " + sc.mode()
            : "->" + sc.upstream() + (sc.listen() != null && sc.listen().startsWith("unix:") ? " (socket)" : " :" + sc.port())
                + " " + ("mutual".equals(sc.tls()) ? "mTLS" : "plaintext"));
        admins.add(sc.admin());
      }
      if (s.sidecars().isEmpty()) {
        ports.add(s.spiffeId() == null ? "no sidecar (plaintext)" : "-");
      }
      Optional<Instant> notAfter = Optional.empty();
      for (String admin : admins) {
        Optional<String> ready = get(http, admin, "/ready");
        if (ready.isEmpty()) {
          problems.add("sidecar admin " + admin + " is not ready");
          continue;
        }
        if (notAfter.isEmpty()) {
          notAfter = get(http, admin, "/certs").flatMap(MeshStatus::notAfter);
        }
      }
      out.add(new ServiceStatus(s.name(), s.namespace(), s.spiffeId(), pid, alive, ports, notAfter,
          counts.of(s.name()), problems));
    }
    return new MeshStatus(state, supervisorAlive, out, clock.instant());
  }

  /** Counts over the access logs that {@code state} names. */
  public static TrafficCounts countsOf(MeshState state) {
    TrafficCounts c = new TrafficCounts();
    for (MeshState.Service s : state.services()) {
      for (MeshState.Sidecar sc : s.sidecars()) {
        c.watch(s.name(), Path.of(sc.accessLog()));
      }
    }
    return c;
  }

  private static Optional<String> get(HttpClient http, String admin, String path) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + admin + path))
          .timeout(PROBE_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static Optional<Instant> notAfter(String certs) {
    try {
      JsonNode n = JSON.readTree(certs).path("svid").path("not_after");
      return n.isTextual() ? Optional.of(Instant.parse(n.asText())) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  public boolean running() {
    return supervisorAlive;
  }

  /** Running, and every process, sidecar and SVID is fine. */
  public boolean healthy() {
    return supervisorAlive && services.stream().allMatch(s -> s.problems().isEmpty());
  }

  public List<ServiceStatus> services() {
    return services;
  }

  /** The table of {@code up} and {@code status}: one row per service (more lines when it has several ports). */
  public List<String> table() {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"SERVICE", "SPIFFE ID", "PORTS (MODE)", "SVID LEFT", "MTLS", "PLAIN", "DENIED"});
    List<String> problems = new ArrayList<>();
    for (ServiceStatus s : services) {
      String svid = s.svidNotAfter().map(t -> Durations.format(Duration.between(now, t).withNanos(0))).orElse("-");
      List<String> ports = s.ports();
      for (int i = 0; i < Math.max(1, ports.size()); i++) {
        String p = i < ports.size() ? ports.get(i) : "";
        rows.add(i == 0
            ? new String[] {s.name(), s.spiffeId() == null ? "(none)" : s.spiffeId(), p, svid,
                String.valueOf(s.counts().mtls()), String.valueOf(s.counts().plaintext()),
                String.valueOf(s.counts().refused())}
            : new String[] {"", "", p, "", "", "", ""});
      }
      s.problems().forEach(problem -> problems.add("  ! " + s.name() + ": " + problem));
    }
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    List<String> lines = new ArrayList<>();
    for (String[] r : rows) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        boolean number = i >= 4; // counts are right-aligned
        String cell = number ? " ".repeat(width[i] - r[i].length()) + r[i] : r[i] + " ".repeat(width[i] - r[i].length());
        b.append(i == 0 ? "" : "  ").append(cell);
      }
      lines.add(b.toString().stripTrailing());
    }
    lines.addAll(problems);
    return lines;
  }

  public ObjectNode json(Path stateDir) {
    ObjectNode n = JSON.createObjectNode();
    n.put("running", running());
    n.put("healthy", healthy());
    n.put("state_dir", stateDir.toString());
    n.put("pid", state.pid());
    n.put("mesh_file", state.meshFile());
    n.put("trust_domain", state.trustDomain());
    n.put("started", state.started());
    if (state.dashboard() != null) {
      n.put("dashboard", state.dashboard());
    }
    ArrayNode arr = n.putArray("services");
    Map<String, MeshState.Service> byName = new LinkedHashMap<>();
    state.services().forEach(s -> byName.put(s.name(), s));
    for (ServiceStatus s : services) {
      ObjectNode o = arr.addObject();
      o.put("name", s.name());
      o.put("namespace", s.namespace());
      if (s.spiffeId() != null) {
        o.put("spiffe_id", s.spiffeId());
      }
      s.pid().ifPresent(p -> o.putObject("process").put("pid", p).put("alive", s.processAlive().orElse(false)));
      s.svidNotAfter().ifPresent(t -> {
        o.put("svid_not_after", t.toString());
        o.put("svid_seconds_left", Duration.between(now, t).toSeconds());
      });
      ArrayNode ports = o.putArray("sidecars");
      for (MeshState.Sidecar sc : byName.get(s.name()).sidecars()) {
        ObjectNode p = ports.addObject();
        p.put("kind", sc.kind());
        p.put("port", sc.port());
        if (sc.mode() != null) {
          p.put("mode", sc.mode());
        }
        if (sc.listen() != null) {
          p.put("listen", sc.listen());
        }
        if (sc.target() != null && sc.target().startsWith("unix:")) {
          p.put("target", sc.target());
        }
        if (sc.upstream() != null) {
          p.put("upstream", sc.upstream());
          p.put("tls", sc.tls());
        }
        p.put("admin", sc.admin());
      }
      ObjectNode c = o.putObject("connections");
      c.put("mtls", s.counts().mtls());
      c.put("plaintext", s.counts().plaintext());
      c.put("denied", s.counts().refused());
      c.put("outbound_ok", s.counts().outboundOk());
      c.put("outbound_failed", s.counts().outboundFailed());
      ArrayNode problems = o.putArray("problems");
      s.problems().forEach(problems::add);
    }
    return n;
  }
}

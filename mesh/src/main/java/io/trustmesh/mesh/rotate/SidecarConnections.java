package io.trustmesh.mesh.rotate;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts the connections the sidecars of a mesh ended, from each one's Prometheus
 * {@code /metrics}: {@code trustmesh_proxy_connections_total{…,result=R}}. A rotation that drops
 * traffic shows up as {@link #FAILED_RESULTS}: a handshake that failed on the sidecar
 * ({@code handshake_failed}) or towards the upstream sidecar ({@code upstream_failed}). A
 * {@code denied} caller is policy, not a rotation failure, and is not counted as one.
 *
 * <p>An outbound sidecar's failed handshake is not counted: every handshake between two sidecars
 * also ends on the inbound one, which knows why. A caller the inbound denies by policy sees only a
 * {@code handshake_failure} alert and logs {@code handshake_failed}; counting it would report the
 * quick-start's intruder as requests the rotation dropped.
 */
public final class SidecarConnections {
  /** The results that a rotation which drops requests produces. */
  public static final Set<String> FAILED_RESULTS = Set.of("handshake_failed", "upstream_failed");
  private static final Pattern LINE = Pattern.compile(
      "^trustmesh_proxy_connections_total\\{([^}]*)}\\s+([0-9.eE+]+)\\s*$", Pattern.MULTILINE);
  private static final Pattern RESULT = Pattern.compile("(?:^|,)result=\"([^\"]*)\"");
  private static final Pattern DIRECTION = Pattern.compile("(?:^|,)direction=\"([^\"]*)\"");

  /** Totals over every sidecar that answered; {@code unreachable} counts those that did not. */
  public record Counts(long connections, long failed, int unreachable) {
    public Counts minus(Counts before) {
      return new Counts(connections - before.connections, failed - before.failed, Math.max(unreachable, before.unreachable));
    }
  }

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<MeshStateFile.Sidecar> sidecars;

  public SidecarConnections(List<MeshStateFile.Sidecar> sidecars) {
    this.sidecars = List.copyOf(sidecars);
  }

  public Counts read() {
    long all = 0;
    long failed = 0;
    int unreachable = 0;
    for (MeshStateFile.Sidecar s : sidecars) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + s.admin() + "/metrics"))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          unreachable++;
          continue;
        }
        Counts c = parse(r.body());
        all += c.connections();
        failed += c.failed();
      } catch (IOException | IllegalArgumentException e) {
        unreachable++;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        unreachable++;
      }
    }
    return new Counts(all, failed, unreachable);
  }

  /** The totals in one sidecar's Prometheus text. */
  static Counts parse(String metrics) {
    long all = 0;
    long failed = 0;
    Matcher m = LINE.matcher(metrics);
    while (m.find()) {
      long n = (long) Double.parseDouble(m.group(2));
      all += n;
      Matcher r = RESULT.matcher(m.group(1));
      Matcher d = DIRECTION.matcher(m.group(1));
      String result = r.find() ? r.group(1) : "";
      boolean outbound = d.find() && d.group(1).equals("outbound");
      if (FAILED_RESULTS.contains(result) && !(outbound && result.equals("handshake_failed"))) {
        failed += n;
      }
    }
    return new Counts(all, failed, 0);
  }
}

package io.trustmesh.mesh.observe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * One line per connection for {@code trustmesh tap}: key=value text that greps well, or one JSON
 * object per line ({@link ObservedConnection#toJson()}).
 *
 * <pre>
 * 08:00:01.123 web -&gt; api port=8081 tls=mtls result=ok bytes=120/340 duration=1.2ms
 *   client=spiffe://td/ns/frontend/sa/web server=spiffe://td/ns/backend/sa/api seen_by="api inbound"
 * </pre>
 */
public final class TapReport {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private TapReport() {}

  public static String line(ObservedConnection c) {
    StringBuilder sb = new StringBuilder();
    sb.append(TIME.format(c.time())).append(' ').append(c.src()).append(" -> ").append(c.dst())
        .append(" port=").append(c.port()).append(" tls=").append(c.tls().isEmpty() ? "-" : c.tls())
        .append(" result=").append(c.result());
    if (!c.reason().isEmpty()) {
      sb.append(" reason=").append(c.reason());
    }
    sb.append(" bytes=").append(c.bytesFromClient()).append('/').append(c.bytesToClient())
        .append(" duration=").append(String.format(Locale.ROOT, "%.1fms", c.durationMs()))
        .append(" client=").append(c.clientId().isEmpty() ? "-" : c.clientId())
        .append(" server=").append(c.serverId().isEmpty() ? "-" : c.serverId())
        .append(" seen_by=\"").append(c.seenBy()).append('"');
    return sb.toString();
  }

  public static String json(ObservedConnection c) {
    try {
      return JSON.writeValueAsString(c.toJson());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

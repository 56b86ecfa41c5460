package io.trustmesh.mesh.rotate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Which sidecars serve an SVID issued after a forced re-issue's mark, from the {@code svid.not_before}
 * each one reports on {@code /certs} (its admin endpoint; no key material).
 */
final class SidecarCertificates {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<MeshStateFile.Sidecar> sidecars;

  SidecarCertificates(List<MeshStateFile.Sidecar> sidecars) {
    this.sidecars = List.copyOf(sidecars);
  }

  int size() {
    return sidecars.size();
  }

  /** How many sidecars serve an SVID whose notBefore is not earlier than {@code mark}. */
  int servingSince(Instant mark) throws InterruptedException {
    int n = 0;
    for (MeshStateFile.Sidecar s : sidecars) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + s.admin() + "/certs"))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode nb = JSON.readTree(r.body()).path("svid").path("not_before");
        if (r.statusCode() == 200 && nb.isTextual() && !Instant.parse(nb.asText()).isBefore(mark)) {
          n++;
        }
      } catch (IOException | IllegalArgumentException | DateTimeParseException e) {
        // not answering (yet): not counted
      }
    }
    return n;
  }
}

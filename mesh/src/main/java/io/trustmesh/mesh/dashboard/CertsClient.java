package io.trustmesh.mesh.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Reads a sidecar's {@code /certs} (its SVID chain and bundle; public data, never a key). Only
 * loopback admin addresses are asked: a state file edited by someone else cannot turn the
 * dashboard into a client for other hosts.
 */
final class CertsClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BYTES = 256 * 1024;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
      .followRedirects(HttpClient.Redirect.NEVER).proxy(HttpClient.Builder.NO_PROXY).build();

  /** The {@code /certs} document of the admin endpoint at {@code host:port}; empty when it does not answer. */
  Optional<JsonNode> certs(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      return Optional.empty();
    }
    String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
      if (port < 1 || port > 65535 || !InetAddress.getByName(host).isLoopbackAddress() || !isLiteral(host)) {
        return Optional.empty();
      }
    } catch (NumberFormatException | UnknownHostException e) {
      return Optional.empty();
    }
    String literal = host.contains(":") ? "[" + host + "]" : host;
    try {
      HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://" + literal + ":" + port + "/certs"))
          .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200 || r.body().length > MAX_BYTES) {
        return Optional.empty();
      }
      JsonNode n = JSON.readTree(r.body());
      return n != null && n.isObject() ? Optional.of(n) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** An IP literal, never a name a resolver could answer differently tomorrow. */
  private static boolean isLiteral(String host) {
    return host.matches("[0-9.]+") || host.contains(":");
  }
}

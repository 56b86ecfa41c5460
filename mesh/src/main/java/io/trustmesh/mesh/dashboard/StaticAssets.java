package io.trustmesh.mesh.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

/** The page's files, shipped in the jar; a fixed list, so no request path ever reaches the class path. */
final class StaticAssets {
  record Asset(String contentType, byte[] bytes) {}

  private static final Map<String, Asset> ASSETS = Map.of(
      "/", load("index.html", "text/html; charset=utf-8"),
      "/index.html", load("index.html", "text/html; charset=utf-8"),
      "/app.js", load("app.js", "text/javascript; charset=utf-8"),
      "/style.css", load("style.css", "text/css; charset=utf-8"),
      "/favicon.svg", load("favicon.svg", "image/svg+xml"));

  private StaticAssets() {}

  static Optional<Asset> get(String path) {
    return Optional.ofNullable(ASSETS.get(path));
  }

  private static Asset load(String name, String type) {
    try (InputStream in = StaticAssets.class.getResourceAsStream("static/" + name)) {
      if (in == null) {
        throw new IllegalStateException("dashboard asset missing from the jar: " + name);
      }
      return new Asset(type, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

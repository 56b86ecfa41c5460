package io.trustmesh.agent.internal;

import io.trustmesh.api.node.proto.Entry;
import io.trustmesh.api.node.proto.FetchEntriesResponse;
import io.trustmesh.core.io.AtomicFiles;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.svid.X509Svid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The agent's on-disk cache, so that a restart while the server is down still serves SVIDs:
 * {@code DIR/agent/} (the agent's own SVID), {@code DIR/bundle.pem}, {@code DIR/entries.pb}
 * (the last entry list), {@code DIR/workloads/ENTRY_ID/} (each workload SVID and key, 0600).
 * Every file is written atomically.
 */
public final class Cache {
  private final Path dir;

  public Cache(Path dir) {
    this.dir = dir;
  }

  public Optional<X509Svid> agentSvid() {
    Path d = dir.resolve("agent");
    return Files.exists(d.resolve(X509Svid.CERT_FILE)) ? Optional.of(load(d)) : Optional.empty();
  }

  public void saveAgentSvid(X509Svid svid, List<X509Certificate> bundle) {
    svid.write(dir.resolve("agent"), bundle);
  }

  public Optional<List<X509Certificate>> bundle() {
    Path f = dir.resolve("bundle.pem");
    return Files.exists(f) ? Optional.of(Pem.readCertificates(f)) : Optional.empty();
  }

  public void saveBundle(List<X509Certificate> bundle) {
    AtomicFiles.write(dir.resolve("bundle.pem"), Pem.encodeCertificates(bundle), false);
  }

  public String jwks() {
    Path f = dir.resolve("jwt_bundle.json");
    try {
      return Files.exists(f) ? Files.readString(f) : "";
    } catch (IOException e) {
      return "";
    }
  }

  public void saveJwks(String jwks) {
    AtomicFiles.write(dir.resolve("jwt_bundle.json"), jwks.getBytes(java.nio.charset.StandardCharsets.UTF_8), false);
  }

  public List<Entry> entries() {
    Path f = dir.resolve("entries.pb");
    if (!Files.exists(f)) {
      return List.of();
    }
    try {
      return FetchEntriesResponse.parseFrom(Files.readAllBytes(f)).getEntriesList();
    } catch (IOException e) {
      return List.of();
    }
  }

  public void saveEntries(List<Entry> entries) {
    AtomicFiles.write(dir.resolve("entries.pb"),
        FetchEntriesResponse.newBuilder().addAllEntries(entries).build().toByteArray(), false);
  }

  public Map<String, X509Svid> workloadSvids() {
    Map<String, X509Svid> out = new LinkedHashMap<>();
    Path w = dir.resolve("workloads");
    if (!Files.isDirectory(w)) {
      return out;
    }
    try (Stream<Path> s = Files.list(w)) {
      for (Path d : s.sorted().toList()) {
        try {
          out.put(d.getFileName().toString(), load(d));
        } catch (RuntimeException corrupt) {
          // a damaged cache entry is re-requested from the server
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  public void saveWorkloadSvid(String entryId, X509Svid svid, List<X509Certificate> bundle) {
    svid.write(dir.resolve("workloads").resolve(safe(entryId)), bundle);
  }

  public void deleteWorkloadSvid(String entryId) {
    Path d = dir.resolve("workloads").resolve(safe(entryId));
    if (!Files.exists(d)) {
      return;
    }
    try (Stream<Path> s = Files.walk(d)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Loads an SVID, re-creating its key with the JDK's "EC"/"RSA" key factory: a PEM reader may
   * hand back a key named "ECDSA", which JSSE then refuses to present as a client certificate.
   */
  private static X509Svid load(Path d) {
    X509Svid s = X509Svid.load(d);
    java.security.PrivateKey key = io.trustmesh.api.grpc.Der.privateKey(
        com.google.protobuf.ByteString.copyFrom(s.privateKey().getEncoded()));
    return X509Svid.of(s.chain(), key, d.resolve(X509Svid.CERT_FILE).toString());
  }

  private static String safe(String entryId) {
    if (!entryId.matches("[A-Za-z0-9_.-]{1,128}") || entryId.startsWith(".")) {
      throw new IllegalArgumentException("unsafe entry id: " + entryId);
    }
    return entryId;
  }
}

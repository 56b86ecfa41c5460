package io.trustmesh.agent.internal;

import io.trustmesh.api.node.proto.Bundle;
import com.google.protobuf.ByteString;
import io.trustmesh.agent.Registration;
import io.trustmesh.api.grpc.Der;
import io.trustmesh.api.node.proto.Entry;
import io.trustmesh.api.node.proto.FetchEntriesResponse;
import io.trustmesh.core.io.AtomicFiles;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.svid.X509Svid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's on-disk cache, so that a restart while the server is down still serves SVIDs:
 * {@code DIR/agent/} (the agent's own SVID), {@code DIR/bundle.pem}, {@code DIR/entries.pb}
 * (the last entry list), {@code DIR/workloads.bin} (every workload SVID and key, 0600, one file
 * so that a batch of renewals costs one fsync). Every file is written atomically.
 *
 * <p>A file that cannot be read back is never silently treated as absent: it is moved aside into
 * {@code DIR/corrupt/} (same owner and mode; keys stay 0600), a warning names it and says what the
 * agent does instead (attest again, fetch again, fall back to {@code --trust-bundle}).
 */
public final class Cache {
  private static final Logger LOG = LoggerFactory.getLogger(Cache.class);
  /** Every workload SVID and key of this agent, written as one file (see {@link WorkloadSvidFile}). */
  public static final String WORKLOADS_FILE = "workloads.bin";
  private final Path dir;
  private final Clock clock;

  public Cache(Path dir, Clock clock) {
    this.dir = dir;
    this.clock = clock;
  }

  public Optional<X509Svid> agentSvid() {
    Path d = dir.resolve("agent");
    if (!Files.exists(d.resolve(X509Svid.CERT_FILE))) {
      return Optional.empty();
    }
    try {
      return Optional.of(load(d));
    } catch (RuntimeException e) {
      setAside(d, "the agent SVID", e, "the agent needs --join-token to attest again");
      return Optional.empty();
    }
  }

  public void saveAgentSvid(X509Svid svid, List<X509Certificate> bundle) {
    svid.write(dir.resolve("agent"), bundle);
  }

  public Optional<List<X509Certificate>> bundle() {
    Path f = dir.resolve("bundle.pem");
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    try {
      List<X509Certificate> certs = Pem.readCertificates(f);
      if (certs.isEmpty()) {
        throw new IllegalArgumentException("no certificate in it");
      }
      return Optional.of(certs);
    } catch (RuntimeException e) {
      setAside(f, "the trust bundle", e, "using --trust-bundle until the server sends the bundle again");
      return Optional.empty();
    }
  }

  public void saveBundle(List<X509Certificate> bundle) {
    AtomicFiles.write(dir.resolve("bundle.pem"), Pem.encodeCertificates(bundle), false);
  }

  public String jwks() {
    Path f = dir.resolve("jwt_bundle.json");
    if (!Files.exists(f)) {
      return "";
    }
    try {
      return Files.readString(f);
    } catch (IOException | RuntimeException e) {
      setAside(f, "the JWT bundle", e, "fetching it from the server again");
      return "";
    }
  }

  public void saveJwks(String jwks) {
    AtomicFiles.write(dir.resolve("jwt_bundle.json"), jwks.getBytes(StandardCharsets.UTF_8), false);
  }

  public List<Registration> entries() {
    Path f = dir.resolve("entries.pb");
    if (!Files.exists(f)) {
      return List.of();
    }
    try {
      return FetchEntriesResponse.parseFrom(Files.readAllBytes(f)).getEntriesList().stream()
          .map(e -> new Registration(e.getId(), e.getSpiffeId(), e.getSelectorsList(), e.getHint(),
              e.getFederatesWithList()))
          .toList();
    } catch (IOException | RuntimeException e) {
      setAside(f, "the entry list", e, "fetching the entries from the server again");
      return List.of();
    }
  }

  /**
   * The federated bundles cached with the entries, by trust domain name, so that an agent restarted
   * while the server is unreachable still lets its workloads verify foreign peers.
   */
  public Map<String, List<X509Certificate>> federatedBundles() {
    Path f = dir.resolve("entries.pb");
    Map<String, List<X509Certificate>> out = new LinkedHashMap<>();
    if (!Files.exists(f)) {
      return out;
    }
    try {
      for (Bundle b : FetchEntriesResponse.parseFrom(Files.readAllBytes(f)).getFederatedBundlesList()) {
        out.put(b.getTrustDomain(), Der.certificates(b.getX509AuthoritiesList()));
      }
    } catch (IOException | RuntimeException e) {
      setAside(f, "the entry list", e, "fetching the entries from the server again");
    }
    return out;
  }

  public void saveEntries(List<Registration> entries) {
    saveEntries(entries, Map.of());
  }

  public void saveEntries(List<Registration> entries, Map<String, List<X509Certificate>> federated) {
    FetchEntriesResponse.Builder b = FetchEntriesResponse.newBuilder();
    for (Registration r : entries) {
      b.addEntries(Entry.newBuilder().setId(r.id()).setSpiffeId(r.spiffeId()).addAllSelectors(r.selectors())
          .setHint(r.hint()).addAllFederatesWith(r.federatesWith()));
    }
    federated.forEach((td, certs) -> b.addFederatedBundles(Bundle.newBuilder().setTrustDomain(td)
        .addAllX509Authorities(Der.each(certs))));
    AtomicFiles.write(dir.resolve("entries.pb"), b.build().toByteArray(), false);
  }

  /**
   * The workload SVIDs by entry id: from {@code workloads.bin}, or from the per-entry directories an
   * older agent wrote ({@code workloads/ENTRY_ID/}) until the first batch is saved.
   */
  public Map<String, X509Svid> workloadSvids() {
    Path f = dir.resolve(WORKLOADS_FILE);
    if (Files.exists(f)) {
      try {
        return WorkloadSvidFile.read(Files.readAllBytes(f), f.toString());
      } catch (IOException | RuntimeException e) {
        setAside(f, "the workload SVIDs", e, "asking the server for new ones");
        return new LinkedHashMap<>();
      }
    }
    return legacyWorkloadSvids();
  }

  /**
   * Replaces every cached workload SVID with {@code svids} in one atomic write (one fsync for the
   * whole set, mode 0600 from creation): a crash leaves either the previous set or this one, never
   * a mix, and a reader never sees a half-written key.
   */
  public void saveWorkloadSvids(Map<String, X509Svid> svids) {
    AtomicFiles.write(dir.resolve(WORKLOADS_FILE), WorkloadSvidFile.encode(svids), true);
    delete(dir.resolve("workloads")); // an older agent's layout, superseded by the file just written
  }

  private Map<String, X509Svid> legacyWorkloadSvids() {
    Map<String, X509Svid> out = new LinkedHashMap<>();
    Path w = dir.resolve("workloads");
    if (!Files.isDirectory(w)) {
      return out;
    }
    List<Path> dirs;
    try (Stream<Path> s = Files.list(w)) {
      dirs = s.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Path d : dirs) {
      try {
        out.put(d.getFileName().toString(), load(d));
      } catch (RuntimeException e) {
        setAside(d, "the SVID of entry " + d.getFileName(), e, "asking the server for a new one");
      }
    }
    return out;
  }

  /** Writes one SVID the way agents before the batched cache did (kept for upgrade tests). */
  public void saveLegacyWorkloadSvid(String entryId, X509Svid svid, List<X509Certificate> bundle) {
    svid.write(dir.resolve("workloads").resolve(safe(entryId)), bundle);
  }

  private static void delete(Path d) {
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
   * Moves a file or directory that cannot be read into {@code DIR/corrupt/NAME-MILLIS} (a rename:
   * owner and modes stay as they were) and says so loudly.
   */
  private void setAside(Path p, String what, Exception why, String instead) {
    Path corrupt = dir.resolve("corrupt");
    Path dest = corrupt.resolve(p.getFileName() + "-" + clock.millis());
    try {
      if (!Files.isDirectory(corrupt)) {
        Files.createDirectories(corrupt, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      Files.move(p, dest);
      LOG.warn("agent cache: {} in {} is corrupt ({}); moved it to {} and continuing without it: {}", what, p,
          why.getMessage(), dest, instead);
    } catch (IOException e) {
      LOG.warn("agent cache: {} in {} is corrupt ({}) and cannot be moved aside ({}); continuing without it: {}",
          what, p, why.getMessage(), e.getMessage(), instead);
    }
  }

  /**
   * Loads an SVID, re-creating its key with the JDK's "EC"/"RSA" key factory: a PEM reader may
   * hand back a key named "ECDSA", which JSSE then refuses to present as a client certificate.
   */
  private static X509Svid load(Path d) {
    X509Svid s = X509Svid.load(d);
    PrivateKey key = Der.privateKey(ByteString.copyFrom(s.privateKey().getEncoded()));
    return X509Svid.of(s.chain(), key, d.resolve(X509Svid.CERT_FILE).toString());
  }

  private static String safe(String entryId) {
    if (!entryId.matches("[A-Za-z0-9_.-]{1,128}") || entryId.startsWith(".")) {
      throw new IllegalArgumentException("unsafe entry id: " + entryId);
    }
    return entryId;
  }
}

package io.trustmesh.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.JsonNode;
import io.trustmesh.cli.demo.Mesh;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.tls.SpiffeTrustManager;
import io.trustmesh.core.verify.Usage;
import io.trustmesh.core.verify.Verification;
import io.trustmesh.core.ca.CaDirectory;
import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.crypto.CryptoProviders;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.time.Durations;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Show trustmesh end to end on this machine, with nothing to set up.",
      "It creates a root and a cluster intermediate in a fresh directory under ./.trustmesh/demo,",
      "issues two workload SVIDs (frontend and backend), and runs two toy services on loopback,",
      "each behind a trustmesh sidecar: the frontend calls the backend in plaintext, the sidecars",
      "carry the call over mutual TLS and check each other's SPIFFE ID. A legacy plaintext client",
      "also calls the backend's permissive port. Prints the sidecars' access-log summary."
    })
final class DemoCommand implements Callable<Integer> {
  static final TrustDomain TRUST_DOMAIN = TrustDomain.parse("demo.trustmesh");
  static final SpiffeId FRONTEND = TRUST_DOMAIN.newSpiffeId("ns", "demo", "sa", "frontend");
  static final SpiffeId BACKEND = TRUST_DOMAIN.newSpiffeId("ns", "demo", "sa", "backend");

  @Spec CommandSpec spec;

  @Option(names = "--dir", defaultValue = ".trustmesh/demo", paramLabel = "DIR",
      description = "Where to create the run's directory (default: ./${DEFAULT-VALUE}).")
  Path base;

  @Mixin OutputOption output;

  @Override
  public Integer call() throws Exception {
    Path dir = freshDirectory(base);
    Clock clock = Clock.systemUTC();
    Path caDir = dir.resolve("ca");
    CaDirectory ca = CaDirectory.init(caDir, TRUST_DOMAIN, KeyType.EC_P256, Issuance.DEFAULT_ROOT_TTL,
        List.of("cluster-1"), Issuance.DEFAULT_INTERMEDIATE_TTL, Optional.empty(), clock);
    CertificateAuthority cluster = ca.intermediate(Optional.of("cluster-1"));
    X509Svid frontend = issue(ca, cluster, FRONTEND, dir.resolve("frontend"));
    X509Svid backend = issue(ca, cluster, BACKEND, dir.resolve("backend"));
    X509BundleSet bundles = X509BundleSet.of(new X509Bundle(TRUST_DOMAIN, List.of(ca.rootCertificate())));

    Mesh.Result r;
    try (Mesh mesh = new Mesh()) {
      r = mesh.run(dir, FRONTEND, BACKEND);
    }
    JsonNode mtls = r.backendLog().stream().filter(e -> "mtls".equals(e.path("tls").asText())).findFirst()
        .orElseThrow(() -> new IllegalStateException("the backend sidecar logged no mTLS connection"));
    // the chains the sidecars accepted, as trustmesh's verifier builds them
    List<X509Certificate> serverPath = verifiedPath(bundles, backend, Usage.SERVER, BACKEND, clock);
    List<X509Certificate> clientPath = verifiedPath(bundles, frontend, Usage.CLIENT, FRONTEND, clock);

    PrintWriter out = spec.commandLine().getOut();
    Instant now = clock.instant();
    if (output.json()) {
      ObjectNode n = OutputFormat.object();
      n.put("dir", dir.toString());
      n.put("trust_domain", TRUST_DOMAIN.name());
      n.put("crypto_provider", CryptoProviders.install().active().name().toLowerCase());
      n.put("tls_engine", r.tlsEngine());
      n.put("address", r.backendSidecar().getAddress().getHostAddress() + ":" + r.backendSidecar().getPort());
      n.put("protocol", mtls.path("tls_version").asText());
      n.put("cipher_suite", mtls.path("tls_cipher").asText());
      n.set("client", side(frontend, serverPath, now).put("request", "GET /"));
      n.set("server", side(backend, clientPath, now).put("response", r.frontendAnswer()));
      n.put("legacy_plaintext_answer", r.legacyAnswer());
      ArrayNode log = n.putArray("access_log");
      r.frontendLog().forEach(log::add);
      r.backendLog().forEach(log::add);
      OutputFormat.print(out, n);
      return Main.OK;
    }
    out.println("trustmesh demo: two services, each behind a trustmesh sidecar, talking over mutual TLS");
    out.println();
    out.println("  workspace     " + dir);
    out.println("  trust domain  " + TRUST_DOMAIN + "   (crypto: "
        + CryptoProviders.install().active().displayName() + "; TLS: " + r.tlsEngine() + ")");
    out.println("  root CA       " + caDir.resolve("root.pem") + "  " + ca.rootCertificate().getSubjectX500Principal().getName());
    out.println("  intermediate  " + caDir.resolve("intermediates/cluster-1/ca.pem") + "  permits only "
        + TRUST_DOMAIN.idString() + ", path length " + cluster.certificate().getBasicConstraints());
    out.println("  SVIDs         " + dir.resolve("frontend") + "/svid.pem, " + dir.resolve("backend") + "/svid.pem");
    out.println();
    out.println("  frontend app -> frontend sidecar (outbound, mutual) ==mTLS==> backend sidecar "
        + r.backendSidecar().getAddress().getHostAddress() + ":" + r.backendSidecar().getPort()
        + " (inbound, permissive) -> backend app");
    out.println();
    out.println("Mutual TLS between the sidecars: " + mtls.path("tls_version").asText() + ", "
        + mtls.path("tls_cipher").asText());
    out.println("  client  " + frontend.spiffeId() + "  (expires in " + left(frontend.leaf(), now) + ")");
    out.println("  server  " + backend.spiffeId() + "  (expires in " + left(backend.leaf(), now) + ")");
    out.println();
    out.println("  the frontend's sidecar verified the backend's chain:");
    printPath(out, serverPath);
    out.println("  the backend's sidecar verified the frontend's chain and allowed its SPIFFE ID:");
    printPath(out, clientPath);
    out.println();
    out.println("  frontend app answered   " + r.frontendAnswer());
    out.println("  legacy plaintext client " + "\"" + r.legacyAnswer() + "\" (allowed: the port is permissive)");
    out.println();
    out.println("Access log summary (" + dir.resolve("frontend-sidecar-access.log").getFileName() + ", "
        + dir.resolve("backend-sidecar-access.log").getFileName() + "):");
    out.printf("  %-11s %-9s %-9s %-44s %-7s %9s %9s%n", "listener", "direction", "tls", "peer", "result",
        "bytes in", "bytes out");
    List<JsonNode> all = new java.util.ArrayList<>(r.frontendLog());
    all.addAll(r.backendLog());
    for (JsonNode e : all) {
      String peer = e.path("peer_spiffe_id").isTextual() ? e.path("peer_spiffe_id").asText()
          : e.path("peer_address").asText() + " (no identity)";
      out.printf("  %-11s %-9s %-9s %-44s %-7s %9d %9d%n", e.path("listener").asText(), e.path("direction").asText(),
          e.path("tls").asText(), peer, e.path("result").asText(), e.path("bytes_from_client").asLong(),
          e.path("bytes_to_client").asLong());
    }
    long plaintext = r.backendLog().stream().filter(e -> "plaintext".equals(e.path("tls").asText())).count();
    out.println("  " + plaintext + " plaintext client(s) on the permissive port: move them to mTLS before"
        + " switching it to strict (docs/migrate-permissive-to-strict.md).");
    out.println();
    out.println("Next: inspect an identity with 'trustmesh cert inspect " + dir.resolve("frontend/svid.pem") + "'");
    out.println("      or run your own sidecar: 'trustmesh proxy inbound --help'");
    return Main.OK;
  }

  private static List<X509Certificate> verifiedPath(X509BundleSet bundles, X509Svid svid, Usage usage, SpiffeId id,
      Clock clock) {
    SpiffeTrustManager tm = new SpiffeTrustManager(() -> bundles, SpiffeTrustManager.Authorizer.exactly(id), clock);
    Verification v = tm.verify(svid.chain().toArray(new X509Certificate[0]), usage);
    if (!v.isValid()) {
      throw new IllegalStateException("chain of " + id + " does not verify: " + v.reason());
    }
    return v.path();
  }

  private static X509Svid issue(CaDirectory ca, CertificateAuthority issuer, SpiffeId id, Path out) {
    IssuedCertificate issued = Issuance.workload(id).ttl(Duration.ofHours(1)).signedBy(issuer);
    X509Svid svid = X509Svid.of(issued.chain(), issued.keyPair().orElseThrow().getPrivate(), out.toString());
    svid.write(out, List.of(ca.rootCertificate()));
    return svid;
  }

  private static ObjectNode side(X509Svid svid, List<X509Certificate> verifiedPeerPath, Instant now) {
    ObjectNode n = OutputFormat.object();
    n.put("spiffe_id", svid.spiffeId().toString());
    n.put("serial", svid.leaf().getSerialNumber().toString(16));
    n.put("not_after", svid.leaf().getNotAfter().toInstant().toString());
    n.put("seconds_left", Duration.between(now, svid.leaf().getNotAfter().toInstant()).toSeconds());
    ArrayNode path = n.putArray("verified_peer_chain");
    verifiedPeerPath.forEach(c -> path.add(c.getSubjectX500Principal().getName()));
    return n;
  }

  private static String left(X509Certificate c, Instant now) {
    return Durations.format(Duration.between(now, c.getNotAfter().toInstant()));
  }

  private static void printPath(PrintWriter out, List<X509Certificate> path) {
    for (int i = 0; i < path.size(); i++) {
      X509Certificate c = path.get(i);
      String name = i == 0 ? io.trustmesh.core.x509.Extensions.uriSans(c).get(0) : c.getSubjectX500Principal().getName();
      out.println("    " + "  ".repeat(i) + (i == 0 ? "" : "<- ") + name);
    }
  }

  /** A new directory named after the current time; never reuses an existing one. */
  static Path freshDirectory(Path base) throws java.io.IOException {
    String stamp = LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Files.createDirectories(base);
    for (int i = 0; ; i++) {
      Path candidate = base.resolve(i == 0 ? stamp : stamp + "-" + i);
      try {
        return Files.createDirectory(candidate);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // try the next suffix
      }
    }
  }
}

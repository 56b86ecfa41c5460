package io.trustmesh.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.cli.demo.Handshake;
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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Show trustmesh end to end on this machine, with nothing to set up.",
      "It creates a root and a cluster intermediate in a fresh directory under ./.trustmesh/demo,",
      "issues two workload SVIDs (frontend and backend), and runs a real mutual TLS handshake",
      "between two endpoints on loopback, each verifying the other by SPIFFE ID."
    })
final class DemoCommand implements Callable<Integer> {
  static final TrustDomain TRUST_DOMAIN = TrustDomain.parse("demo.trustmesh");
  static final SpiffeId FRONTEND = TRUST_DOMAIN.newSpiffeId("ns", "demo", "sa", "frontend");
  static final SpiffeId BACKEND = TRUST_DOMAIN.newSpiffeId("ns", "demo", "sa", "backend");

  @Spec CommandSpec spec;

  @Option(names = "--dir", defaultValue = ".trustmesh/demo", paramLabel = "DIR",
      description = "Where to create the run's directory (default: ./${DEFAULT-VALUE}).")
  Path base;

  @Option(names = "--output", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
  OutputFormat output;

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

    Handshake.Result r = Handshake.run(frontend, backend, List.of(ca.rootCertificate()), "hello from frontend",
        "hello from backend", clock);

    PrintWriter out = spec.commandLine().getOut();
    Instant now = clock.instant();
    if (output == OutputFormat.json) {
      ObjectNode n = OutputFormat.object();
      n.put("dir", dir.toString());
      n.put("trust_domain", TRUST_DOMAIN.name());
      n.put("crypto_provider", CryptoProviders.install().active().name().toLowerCase());
      n.put("address", r.address());
      n.put("protocol", r.protocol());
      n.put("cipher_suite", r.cipherSuite());
      n.set("client", side(frontend, r.clientVerifiedServerPath(), now).put("request", r.request()));
      n.set("server", side(backend, r.serverVerifiedClientPath(), now).put("response", r.response()));
      OutputFormat.print(out, n);
      return Main.OK;
    }
    out.println("trustmesh demo: a CA, two workload identities and one mutual TLS handshake");
    out.println();
    out.println("  workspace     " + dir);
    out.println("  trust domain  " + TRUST_DOMAIN + "   (crypto: "
        + CryptoProviders.install().active().displayName() + ")");
    out.println("  root CA       " + caDir.resolve("root.pem") + "  " + ca.rootCertificate().getSubjectX500Principal().getName());
    out.println("  intermediate  " + caDir.resolve("intermediates/cluster-1/ca.pem") + "  permits only "
        + TRUST_DOMAIN.idString() + ", path length " + cluster.certificate().getBasicConstraints());
    out.println("  SVIDs         " + dir.resolve("frontend") + "/svid.pem, " + dir.resolve("backend") + "/svid.pem");
    out.println();
    out.println("Mutual TLS over " + r.address() + ": " + r.protocol() + ", " + r.cipherSuite());
    out.println("  client  " + frontend.spiffeId() + "  (expires in " + left(frontend.leaf(), now) + ")");
    out.println("  server  " + backend.spiffeId() + "  (expires in " + left(backend.leaf(), now) + ")");
    out.println();
    out.println("  the client verified the server's chain:");
    printPath(out, r.clientVerifiedServerPath());
    out.println("  the server verified the client's chain:");
    printPath(out, r.serverVerifiedClientPath());
    out.println();
    out.println("  client sent     \"" + r.request() + "\"");
    out.println("  server answered \"" + r.response() + "\"");
    out.println();
    out.println("Next: inspect an identity with 'trustmesh cert inspect " + dir.resolve("frontend/svid.pem") + "'");
    return Main.OK;
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

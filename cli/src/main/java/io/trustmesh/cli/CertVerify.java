package io.trustmesh.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.time.Durations;
import io.trustmesh.core.verify.Usage;
import io.trustmesh.core.verify.Verification;
import io.trustmesh.core.verify.VerifyOptions;
import io.trustmesh.core.verify.X509Verifier;
import io.trustmesh.core.x509.Extensions;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Verify a certificate chain (leaf first, then intermediates) against a trust bundle.",
      "Exit 0 when valid; otherwise exit 1 and one line naming the precise reason: expired,",
      "unknown authority (with the issuer's name), name constraints violated, wrong EKU,",
      "SPIFFE ID mismatch.",
      "",
      "A leaf with a spiffe:// URI SAN is checked by the X.509-SVID rules; others as plain X.509.",
      "",
      "Example:",
      "  trustmesh cert verify --bundle web-svid/svid_bundle.pem \\",
      "      --spiffe-id spiffe://example.org/ns/prod/sa/web --usage client web-svid/svid.pem",
      "",
      "Batch mode (one JSON case per line in, one JSON verdict per line out; exit 0 when every",
      "case is valid, 1 otherwise; a malformed line gets result \"error\" and the batch goes on):",
      "  conformance/limbo.sh ../shared/conformance/x509-limbo.json   # drives it",
      "  trustmesh cert verify --batch < cases.jsonl > verdicts.jsonl"
    })
final class CertVerify implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--bundle", paramLabel = "FILE", description = "Trusted roots (PEM). Required unless --batch.")
  Path bundle;

  @Option(names = "--batch", description = {
      "Read cases as JSON lines on stdin and write one JSON line per case (for harnesses):",
      "{id, trusted:[PEM], intermediates:[PEM], leaf:PEM, at, usage, dns, ip, spiffe_id,",
      "trust_domain, max_depth, crls:[PEM]} -> {id, result: valid|invalid|error, reason, failure}."})
  boolean batch;

  @ArgGroup(exclusive = true)
  Expect expect;

  static final class Expect {
    @Option(names = "--spiffe-id", paramLabel = "ID", description = "Require exactly this SPIFFE ID.")
    SpiffeId spiffeId;

    @Option(names = "--trust-domain", paramLabel = "TD", description = "Require a SPIFFE ID in this trust domain.")
    TrustDomain trustDomain;
  }

  @Option(names = "--dns", paramLabel = "NAME", description = "Require the leaf to be valid for this DNS name.")
  String dns;

  @Option(names = "--at", paramLabel = "TIME", description = "Verify at this time (ISO-8601) instead of now.")
  Instant at;

  @Option(names = "--usage", paramLabel = "server|client",
      description = "Role of the certificate's owner: server needs serverAuth, client needs clientAuth.")
  Usage usage;

  @Mixin OutputOption output;

  @Parameters(index = "0", arity = "0..1", paramLabel = "FILE",
      description = "The chain to verify (PEM, leaf first). Required unless --batch.")
  Path file;

  /** Where {@code --batch} reads cases; standard input unless a test sets it. */
  InputStream in;

  @Override
  public Integer call() {
    if (batch) {
      if (bundle != null || file != null || expect != null || dns != null || at != null || usage != null) {
        throw new BadInputException("--batch takes every setting from its input lines; "
            + "drop --bundle, FILE, --spiffe-id, --trust-domain, --dns, --at and --usage");
      }
      return new BatchVerify(in != null ? in : System.in, spec.commandLine().getOut()).run();
    }
    if (bundle == null) {
      throw new BadInputException("--bundle FILE is required (or use --batch)");
    }
    if (file == null) {
      throw new BadInputException("the chain FILE to verify is required (or use --batch)");
    }
    List<X509Certificate> roots = Pem.readCertificates(bundle);
    List<X509Certificate> chain = Pem.readCertificates(file);
    X509Certificate leaf = chain.get(0);
    Instant when = at != null ? at : Instant.now();
    VerifyOptions options;
    boolean spiffe = expect != null || Extensions.uriSans(leaf).stream().anyMatch(u -> u.startsWith("spiffe://"));
    if (spiffe) {
      TrustDomain td = trustDomainFor(leaf);
      options = VerifyOptions.spiffe(X509BundleSet.of(new X509Bundle(td, roots)));
      if (expect != null) {
        options.expectSpiffeId(expect.spiffeId).expectTrustDomain(expect.trustDomain);
      }
    } else {
      options = VerifyOptions.x509(roots);
    }
    options.intermediates(chain.subList(1, chain.size())).at(when).usage(usage).dnsName(dns);
    Verification v = X509Verifier.verify(leaf, options);
    print(v, when);
    return v.isValid() ? Main.OK : Main.FAILED;
  }

  /**
   * The trust domain whose bundle the file is: the one expected, or else the leaf's own. A bundle
   * file is a single trust domain's roots; checking the leaf's domain against an expectation is
   * the verifier's job, after the chain.
   */
  private TrustDomain trustDomainFor(X509Certificate leaf) {
    if (expect != null && expect.trustDomain != null) {
      return expect.trustDomain;
    }
    if (expect != null && expect.spiffeId != null) {
      return expect.spiffeId.trustDomain();
    }
    for (String uri : Extensions.uriSans(leaf)) {
      try {
        return SpiffeId.parse(uri).trustDomain();
      } catch (BadInputException e) {
        // the verifier will name the malformed SAN
      }
    }
    return TrustDomain.parse("unknown");
  }

  private void print(Verification v, Instant when) {
    PrintWriter out = spec.commandLine().getOut();
    if (output.json()) {
      ObjectNode n = OutputFormat.object();
      n.put("file", file.toString());
      n.put("result", v.isValid() ? "valid" : "invalid");
      n.put("reason", v.isValid() ? null : v.reason());
      n.put("failure", v.failure().map(f -> f.code()).orElse(null));
      n.put("spiffe_id", v.spiffeId().map(SpiffeId::toString).orElse(null));
      n.put("at", when.toString());
      ArrayNode path = n.putArray("path");
      v.path().forEach(c -> path.add(c.getSubjectX500Principal().getName()));
      OutputFormat.print(out, n);
      return;
    }
    if (!v.isValid()) {
      out.println("invalid: " + v.reason());
      return;
    }
    X509Certificate leaf = v.path().get(0);
    out.println("valid: " + v.spiffeId().map(SpiffeId::toString).orElse(leaf.getSubjectX500Principal().getName())
        + " (expires " + leaf.getNotAfter().toInstant() + ", in "
        + Durations.format(Duration.between(when, leaf.getNotAfter().toInstant())) + ")");
    for (int i = 0; i < v.path().size(); i++) {
      out.println("  " + "  ".repeat(i) + (i == 0 ? "" : "<- ") + v.path().get(i).getSubjectX500Principal().getName());
    }
  }
}

package io.trustmesh.cli;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.ca.CaDirectory;
import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.x509.Extensions;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "renew", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Renew an SVID in place: same SPIFFE ID, DNS names, key type and lifetime; a new key.",
      "The three files in OUTDIR are replaced atomically; readers see the old set or the new one.",
      "",
      "Example:",
      "  trustmesh cert renew --ca trustmesh-ca --in web-svid"
    })
final class CertRenew implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin IssuerOptions issuerOptions;

  @Mixin OutputOption output;



  @Option(names = "--in", required = true, paramLabel = "OUTDIR",
      description = "Directory holding svid.pem (and svid_key.pem) to renew.")
  Path dir;


  @Override
  public Integer call() {
    Path certFile = dir.resolve(X509Svid.CERT_FILE);
    X509Certificate old = Pem.readCertificates(certFile).get(0);
    var id = X509Svid.spiffeIdOf(old, certFile.toString());
    Duration lifetime = Duration.between(old.getNotBefore().toInstant(), old.getNotAfter().toInstant())
        .minus(Issuance.BACKDATE);
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new BadInputException("cannot tell the lifetime of " + certFile);
    }
    CaDirectory ca = issuerOptions.ca();
    CertificateAuthority issuer = issuerOptions.issuer(ca);
    IssuedCertificate issued = Issuance.workload(id)
        .dnsNames(Extensions.dnsSans(old))
        .keyType(KeyType.of(old.getPublicKey()))
        .ttl(lifetime)
        .allowLongTtl() // keep what was issued before; the original issuance applied the limit
        .signedBy(issuer);
    X509Svid svid = X509Svid.of(issued.chain(), issued.keyPair().orElseThrow().getPrivate(), certFile.toString());
    svid.write(dir, List.of(ca.rootCertificate()));
    CertIssue.report(spec, output, "Renewed", svid, issued, lifetime, dir);
    return Main.OK;
  }
}

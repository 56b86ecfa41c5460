package io.trustmesh.cli;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.io.AtomicFiles;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.SpiffeId;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "sign-csr", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Sign a PKCS#10 certificate request as a workload X.509-SVID.",
      "The CSR's signature is verified (proof that the requester holds the key); the identity comes",
      "from --spiffe-id and --dns only: names requested inside the CSR are ignored.",
      "Writes the leaf followed by the intermediates to --out.",
      "",
      "Example:",
      "  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -subj /O=x -out req.csr",
      "  trustmesh cert sign-csr --ca trustmesh-ca --csr req.csr --spiffe-id spiffe://example.org/db --out db.pem"
    })
final class CertSignCsr implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin IssuerOptions issuerOptions;



  @Option(names = "--csr", required = true, paramLabel = "FILE", description = "PEM certificate request.")
  Path csrFile;

  @Option(names = "--spiffe-id", required = true, paramLabel = "ID", description = "SPIFFE ID to certify.")
  SpiffeId spiffeId;

  @Option(names = "--dns", paramLabel = "NAME", description = "Add a DNS SAN; repeat for several.")
  List<String> dnsNames = new ArrayList<>();

  @Option(names = "--ttl", defaultValue = "24h", paramLabel = "D",
      description = "Lifetime (default: ${DEFAULT-VALUE}, at most 24h; clamped to the issuer's expiry).")
  Duration ttl;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the chain (PEM).")
  Path out;


  @Override
  public Integer call() {
    PKCS10CertificationRequest csr = Pem.readCsr(csrFile);
    PublicKey key = verifiedKey(csr, csrFile);
    IssuedCertificate issued = issuerOptions.sign(
        Issuance.workload(spiffeId).dnsNames(dnsNames).ttl(ttl).publicKey(key),
        issuerOptions.issuer(issuerOptions.ca()));
    AtomicFiles.write(out, Pem.encodeCertificates(issued.chain()), false);
    PrintWriter w = spec.commandLine().getOut();
    IssuerOptions.warnIfClamped(spec.commandLine().getErr(), issued, ttl);
    w.println("Signed " + spiffeId + " (serial " + issued.certificate().getSerialNumber().toString(16)
        + ", expires " + issued.certificate().getNotAfter().toInstant() + "): " + out);
    return Main.OK;
  }

  /** The CSR's public key, once its self-signature proves possession of the private key. */
  static PublicKey verifiedKey(PKCS10CertificationRequest csr, Path file) {
    try {
      JcaPKCS10CertificationRequest jca = new JcaPKCS10CertificationRequest(csr);
      PublicKey key = jca.getPublicKey();
      if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
        throw new BadInputException("the signature of certificate request " + file
            + " does not verify: refusing to sign it");
      }
      return key;
    } catch (OperatorCreationException | PKCSException | java.security.GeneralSecurityException e) {
      throw new BadInputException("the signature of certificate request " + file
          + " cannot be verified: " + Main.oneLine(e.getMessage()));
    }
  }
}

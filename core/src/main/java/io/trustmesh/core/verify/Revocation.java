package io.trustmesh.core.verify;

import static io.trustmesh.core.verify.X509Verifier.subject;

import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Revocation by the CRLs the caller supplies (no fetching). A CRL counts for a certificate when it
 * names the certificate's issuer and verifies with the issuer's key; such a CRL must then be usable
 * (RFC 5280 5 and 6.3): version 2 with a non-critical CRL number, no critical extension this code
 * does not understand (delta CRLs and issuing distribution points are not supported), current at
 * the verification time, and from an issuer whose key usage, if present, has cRLSign. A CRL that
 * applies but is unusable refuses the chain: revocation status unknown is not "good".
 */
final class Revocation {
  private static final String CRL_NUMBER = "2.5.29.20";
  private static final Set<String> KNOWN_CRL_EXTENSIONS = Set.of(CRL_NUMBER, "2.5.29.35"); // + AKI
  private static final Set<String> KNOWN_ENTRY_EXTENSIONS = Set.of("2.5.29.21", "2.5.29.24"); // reason, invalidity date

  private Revocation() {}

  static Verification check(List<X509Certificate> path, List<X509CRL> crls, Instant at) {
    if (crls.isEmpty()) {
      return null;
    }
    for (int i = 0; i < path.size() - 1; i++) {
      X509Certificate c = path.get(i);
      X509Certificate issuer = path.get(i + 1);
      for (X509CRL crl : crls) {
        if (!crl.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
          continue;
        }
        try {
          crl.verify(issuer.getPublicKey());
        } catch (Exception e) {
          continue; // another CA of the same name
        }
        String from = "the CRL of " + subject(issuer);
        boolean[] ku = issuer.getKeyUsage();
        if (ku != null && !ku[6]) {
          return Verification.invalid(Failure.KEY_USAGE, from + " is unusable: the issuer lacks cRLSign");
        }
        if (CertificateChecks.WEAK_SIGNATURES.contains(crl.getSigAlgOID())) {
          return Verification.invalid(Failure.WEAK_ALGORITHM, from + " is signed with the weak algorithm "
              + crl.getSigAlgName());
        }
        if (crl.getVersion() != 2) {
          return Verification.invalid(Failure.MALFORMED, from + " is not a version 2 CRL");
        }
        Set<String> critical = crl.getCriticalExtensionOIDs();
        if (crl.getExtensionValue(CRL_NUMBER) == null) {
          return Verification.invalid(Failure.MALFORMED, from + " has no CRL number (RFC 5280 5.2.3)");
        }
        if (critical != null && critical.contains(CRL_NUMBER)) {
          return Verification.invalid(Failure.MALFORMED, from + " marks its CRL number critical (RFC 5280 5.2.3)");
        }
        if (critical != null) {
          for (String oid : critical) {
            if (!KNOWN_CRL_EXTENSIONS.contains(oid)) {
              return Verification.invalid(Failure.UNKNOWN_CRITICAL_EXTENSION,
                  from + " has an unsupported critical extension " + oid);
            }
          }
        }
        if (crl.getThisUpdate().toInstant().isAfter(at)) {
          return Verification.invalid(Failure.NOT_YET_VALID, from + " is not valid before "
              + crl.getThisUpdate().toInstant() + " (checked at " + at + ")");
        }
        if (crl.getNextUpdate() != null && crl.getNextUpdate().toInstant().isBefore(at)) {
          return Verification.invalid(Failure.EXPIRED, from + " is out of date since "
              + crl.getNextUpdate().toInstant() + " (checked at " + at + ")");
        }
        X509CRLEntry entry = crl.getRevokedCertificate(c.getSerialNumber());
        if (entry != null) {
          Set<String> entryCritical = entry.getCriticalExtensionOIDs();
          if (entryCritical != null && !KNOWN_ENTRY_EXTENSIONS.containsAll(entryCritical)) {
            return Verification.invalid(Failure.UNKNOWN_CRITICAL_EXTENSION,
                from + " has an entry with an unsupported critical extension");
          }
          return Verification.invalid(Failure.REVOKED, (i == 0 ? "certificate " : "intermediate ") + subject(c)
              + " (serial " + c.getSerialNumber().toString(16) + ") was revoked at "
              + entry.getRevocationDate().toInstant());
        }
      }
    }
    return null;
  }
}

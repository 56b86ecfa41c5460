package io.trustmesh.core.pem;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * PEM from files an operator or a peer hands us (bundles, SVIDs, keys, federation exports). A
 * malformed file is refused with one {@link PemException} naming it; nothing else may escape (no
 * Bouncy Castle or JDK runtime exception, no hang). What parses re-encodes to PEM that parses to
 * the same certificates. Regression inputs: {@code src/test/resources/io/trustmesh/core/pem/PemFuzzTestInputs/}.
 */
class PemFuzzTest {

  @FuzzTest(maxDuration = "5m")
  void certificates(byte[] data) {
    List<X509Certificate> certs;
    try {
      certs = Pem.parseCertificates(data, "fuzz.pem");
    } catch (PemException refused) {
      return;
    }
    if (certs.isEmpty()) {
      return; // PEM without a CERTIFICATE block: callers that need one say so
    }
    List<X509Certificate> again = Pem.parseCertificates(Pem.encodeCertificates(certs), "re-encoded");
    if (!again.equals(certs)) {
      throw new AssertionError("certificates changed across a PEM round trip");
    }
  }

  @FuzzTest(maxDuration = "5m")
  void privateKey(byte[] data) {
    PrivateKey key;
    try {
      // No passphrase: an encrypted key must be refused for want of one, not decrypted or crashed on.
      key = Pem.parsePrivateKey(data, "fuzz-key.pem", Optional.empty());
    } catch (PemException refused) {
      return;
    }
    if (key == null || key.getEncoded() == null) {
      throw new AssertionError("a key parsed without any encoding");
    }
  }
}

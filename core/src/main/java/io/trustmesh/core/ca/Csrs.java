package io.trustmesh.core.ca;

import io.trustmesh.core.crypto.KeyType;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.HashMap;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** PKCS#10 requests as the node API carries them (DER): made by agents, checked by the server. */
public final class Csrs {
  private Csrs() {}

  /** A CSR proving possession of {@code pair}; the subject is irrelevant (the server decides the identity). */
  public static byte[] create(KeyPair pair) {
    try {
      return new JcaPKCS10CertificationRequestBuilder(new X500Name("O=trustmesh"), pair.getPublic())
          .build(new JcaContentSignerBuilder(KeyType.of(pair.getPublic()).signatureAlgorithm())
              .build(pair.getPrivate()))
          .getEncoded();
    } catch (OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot create a CSR: " + e.getMessage(), e);
    }
  }

  /**
   * The public key of a CSR whose self-signature verifies.
   *
   * @throws IllegalArgumentException if the CSR is malformed or its signature does not verify
   */
  public static PublicKey verifiedPublicKey(byte[] der) {
    PKCS10CertificationRequest csr;
    PublicKey key;
    try {
      csr = new PKCS10CertificationRequest(der);
      byte[] spki = csr.getSubjectPublicKeyInfo().getEncoded();
      String oid = csr.getSubjectPublicKeyInfo().getAlgorithm().getAlgorithm().getId();
      String alg = oid.equals("1.2.840.10045.2.1") ? "EC" : oid.equals("1.2.840.113549.1.1.1") ? "RSA" : null;
      if (alg == null) {
        throw new IllegalArgumentException("unsupported CSR key algorithm " + oid);
      }
      key = Jca.get().keyFactory(alg).generatePublic(new X509EncodedKeySpec(spki));
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
          && iae.getMessage().startsWith("unsupported")) {
        throw iae;
      }
      throw new IllegalArgumentException("malformed CSR: " + e.getMessage(), e);
    }
    // Verify the self-signature with plain JCA (the fast provider), not a per-call BC verifier.
    String sigOid = csr.getSignatureAlgorithm().getAlgorithm().getId();
    String sigAlg = SIGNATURE_ALGORITHMS.get(sigOid);
    if (sigAlg == null) {
      throw new IllegalArgumentException("unsupported CSR signature algorithm " + sigOid);
    }
    int infoStart;
    int infoLength;
    try {
      infoStart = infoStart(der);
      infoLength = infoLength(der);
      if (infoStart + infoLength > der.length) {
        throw new IllegalArgumentException("request info runs past the end");
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("malformed CSR: " + e.getMessage(), e);
    }
    byte[] signature;
    try {
      signature = csr.getSignature();
    } catch (RuntimeException e) {
      // Bouncy Castle refuses a signature BIT STRING with unused bits this way (found by Jazzer:
      // NodeApiCsrFuzzTestInputs/sign/signature_bit_string_with_unused_bits.der).
      throw new IllegalArgumentException("malformed CSR: " + e.getMessage(), e);
    }
    try {
      Signature s = Jca.get().signature(sigAlg);
      s.initVerify(key);
      s.update(der, infoStart, infoLength);
      if (!s.verify(signature)) {
        throw new IllegalArgumentException("the CSR's signature does not verify");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the CSR's signature does not verify: " + e.getMessage(), e);
    }
    return key;
  }

  /**
   * Each thread's key factories and verifiers, by algorithm: a CA server checks thousands of CSRs a
   * second, and a provider lookup per check shows in its profile. {@code initVerify} resets a
   * {@link Signature}, so reuse carries nothing from one CSR to the next.
   */
  private static final class Jca {
    private static final ThreadLocal<Jca> PER_THREAD = ThreadLocal.withInitial(Jca::new);
    private final Map<String, KeyFactory> keyFactories = new HashMap<>();
    private final Map<String, Signature> signatures = new HashMap<>();

    static Jca get() {
      return PER_THREAD.get();
    }

    KeyFactory keyFactory(String algorithm) throws GeneralSecurityException {
      return cached(keyFactories, algorithm, KeyFactory::getInstance);
    }

    Signature signature(String algorithm) throws GeneralSecurityException {
      return cached(signatures, algorithm, Signature::getInstance);
    }

    private interface Lookup<T> {
      T getInstance(String algorithm) throws GeneralSecurityException;
    }

    private static <T> T cached(Map<String, T> cache, String algorithm, Lookup<T> lookup)
        throws GeneralSecurityException {
      T found = cache.get(algorithm);
      if (found == null) {
        found = lookup.getInstance(algorithm);
        cache.put(algorithm, found);
      }
      return found;
    }
  }

  private static final Map<String, String> SIGNATURE_ALGORITHMS = Map.of(
      "1.2.840.10045.4.3.2", "SHA256withECDSA",
      "1.2.840.10045.4.3.3", "SHA384withECDSA",
      "1.2.840.10045.4.3.4", "SHA512withECDSA",
      "1.2.840.113549.1.1.11", "SHA256withRSA",
      "1.2.840.113549.1.1.12", "SHA384withRSA",
      "1.2.840.113549.1.1.13", "SHA512withRSA");

  // The signature covers the CertificationRequestInfo exactly as the requester encoded it: verify
  // over those bytes (the first element of the outer SEQUENCE) instead of re-encoding them.
  private static int infoStart(byte[] der) {
    return 1 + lengthOfLength(der, 1);
  }

  private static int infoLength(byte[] der) {
    int start = infoStart(der);
    return 1 + lengthOfLength(der, start + 1) + contentLength(der, start + 1);
  }

  /** How many bytes the DER length field at {@code off} takes. */
  private static int lengthOfLength(byte[] der, int off) {
    int first = der[off] & 0xff;
    return first < 0x80 ? 1 : 1 + (first & 0x7f);
  }

  private static int contentLength(byte[] der, int off) {
    int first = der[off] & 0xff;
    if (first < 0x80) {
      return first;
    }
    int n = first & 0x7f;
    if (n == 0 || n > 3) {
      throw new IllegalArgumentException("malformed CSR: unsupported DER length");
    }
    int len = 0;
    for (int i = 1; i <= n; i++) {
      len = (len << 8) | (der[off + i] & 0xff);
    }
    return len;
  }
}

package io.trustmesh.api.grpc;

import io.trustmesh.core.crypto.KeyType;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
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
      key = KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(spki));
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
    try {
      Signature s = Signature.getInstance(sigAlg);
      s.initVerify(key);
      s.update(csr.toASN1Structure().getCertificationRequestInfo().getEncoded());
      if (!s.verify(csr.getSignature())) {
        throw new IllegalArgumentException("the CSR's signature does not verify");
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("the CSR's signature does not verify: " + e.getMessage(), e);
    }
    return key;
  }

  private static final Map<String, String> SIGNATURE_ALGORITHMS = Map.of(
      "1.2.840.10045.4.3.2", "SHA256withECDSA",
      "1.2.840.10045.4.3.3", "SHA384withECDSA",
      "1.2.840.10045.4.3.4", "SHA512withECDSA",
      "1.2.840.113549.1.1.11", "SHA256withRSA",
      "1.2.840.113549.1.1.12", "SHA384withRSA",
      "1.2.840.113549.1.1.13", "SHA512withRSA");
}

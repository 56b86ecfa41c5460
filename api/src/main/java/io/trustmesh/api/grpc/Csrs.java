package io.trustmesh.api.grpc;

import io.trustmesh.core.crypto.KeyType;
import java.io.IOException;
import java.security.KeyPair;
import java.security.PublicKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
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
    try {
      JcaPKCS10CertificationRequest csr = new JcaPKCS10CertificationRequest(new PKCS10CertificationRequest(der));
      PublicKey key = csr.getPublicKey();
      if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
        throw new IllegalArgumentException("the CSR's signature does not verify");
      }
      return key;
    } catch (IOException | RuntimeException | java.security.GeneralSecurityException
        | OperatorCreationException | PKCSException e) {
      if (e instanceof IllegalArgumentException iae && "the CSR's signature does not verify".equals(iae.getMessage())) {
        throw iae;
      }
      throw new IllegalArgumentException("malformed CSR: " + e.getMessage(), e);
    }
  }
}

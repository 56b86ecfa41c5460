package io.trustmesh.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.spiffe.TrustDomain;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KeyTypeTest {
  private static final Provider BC = new BouncyCastleProvider();

  private static PublicKey ecKey(String curve, Provider provider) throws Exception {
    KeyPairGenerator g = provider == null ? KeyPairGenerator.getInstance("EC") : KeyPairGenerator.getInstance("EC", provider);
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair().getPublic();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"secp256r1", "secp384r1"})
  void knows_the_nist_curves_from_any_provider(String curve) throws Exception {
    KeyType expected = curve.equals("secp256r1") ? KeyType.EC_P256 : KeyType.EC_P384;
    assertThat(KeyType.of(ecKey(curve, null))).isEqualTo(expected);
    assertThat(KeyType.of(ecKey(curve, BC))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"secp256k1", "brainpoolP256r1", "brainpoolP384r1", "secp521r1"})
  void refuses_other_curves_even_of_the_same_size(String curve) throws Exception {
    PublicKey key = ecKey(curve, BC);

    assertThatThrownBy(() -> KeyType.of(key)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("unsupported EC key").hasMessageContaining("expected P-256 or P-384");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"secp256k1", "brainpoolP256r1"})
  void a_ca_does_not_certify_a_key_on_another_256_bit_curve(String curve) throws Exception {
    TrustDomain td = TrustDomain.parse("example.org");
    IssuedCertificate root = Issuance.root(td).selfSigned();
    CertificateAuthority ca = CertificateAuthority.of(List.of(root.certificate()), root.keyPair().orElseThrow().getPrivate());
    PublicKey key = ecKey(curve, BC);

    assertThatThrownBy(() -> Issuance.workload(td.newSpiffeId("web")).publicKey(key).signedBy(ca))
        .isInstanceOf(BadInputException.class).hasMessageContaining("unsupported EC key");
  }
}

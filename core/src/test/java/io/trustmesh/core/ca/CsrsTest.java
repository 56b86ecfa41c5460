package io.trustmesh.core.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.crypto.KeyType;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;

/** The CSR check the server runs before it signs: proof of possession over the bytes as sent. */
class CsrsTest {
  final KeyPair pair = KeyType.DEFAULT.generate();

  @Test
  void aCsrYieldsItsKeyWhenItsSignatureVerifies() {
    assertThat(Csrs.verifiedPublicKey(Csrs.create(pair))).isEqualTo(pair.getPublic());
  }

  @Test
  void aTamperedSignatureIsRefused() {
    byte[] der = Csrs.create(pair);
    der[der.length - 1] ^= 0x01;
    assertThatThrownBy(() -> Csrs.verifiedPublicKey(der)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("signature");
  }

  @Test
  void garbageIsAMalformedCsr() {
    assertThatThrownBy(() -> Csrs.verifiedPublicKey(new byte[] {0x30, 0x03, 0x02, 0x01, 0x00}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("malformed CSR");
  }
}

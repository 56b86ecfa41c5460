package io.trustmesh.server.ca;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.core.crypto.KeyType;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** A JWT signing key that reaches a log line or an exception message shows its kid, never its secret. */
class JwtKeyToStringTest {

  @Test
  void toStringHidesThePrivateKey() {
    SigningAuthority.JwtKey key = SigningAuthority.JwtKey.of(KeyType.EC_P256.generate().getPrivate(),
        Instant.parse("2030-01-01T00:00:00Z"));
    String s = key.privateKey().getS().toString(16);

    String printed = key.toString();

    assertThat(printed).contains("privateKey=****", "kid=" + key.kid(), "2030-01-01T00:00:00Z")
        .doesNotContainIgnoringCase(s)
        .doesNotContain(key.privateKey().getS().toString())
        .doesNotContain(Base64.getEncoder().encodeToString(key.privateKey().getEncoded()))
        .doesNotContainIgnoringCase(HexFormat.of().formatHex(key.privateKey().getEncoded()));
  }
}

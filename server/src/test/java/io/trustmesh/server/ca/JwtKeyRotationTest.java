package io.trustmesh.server.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.api.jwt.JwtSvids;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.time.ManualClock;
import io.trustmesh.server.datastore.JdbcDataStore;
import io.trustmesh.server.keymanager.DiskKeyManager;
import io.trustmesh.server.keymanager.KeyManager;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JWT-SVID signing keys rotate with the signing CAs: a key per CA, published with it, signing
 * while it is active, gone when it retires; a token never outlives its key's CA.
 */
class JwtKeyRotationTest {
  static final TrustDomain TD = TrustDomain.parse("example.org");
  static final SpiffeId WEB = TD.newSpiffeId("web");
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  @TempDir Path dir;

  private static String kidOf(String token) {
    String header = new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[0]),
        java.nio.charset.StandardCharsets.UTF_8);
    return header.replaceAll(".*\"kid\":\"([0-9a-f]+)\".*", "$1");
  }

  @Test
  void aKeyPerSigningCaPublishedSigningAndRetiredWithIt() throws Exception {
    ManualClock clock = new ManualClock(T0);
    try (JdbcDataStore store = JdbcDataStore.open("sqlite", dir)) {
      KeyManager keys = DiskKeyManager.open(dir.resolve("keys"), Optional.empty());
      SigningAuthority sa = new SigningAuthority(TD, Upstream.selfSignedRoots(), Duration.ofHours(60),
          Duration.ofHours(10), keys, store, clock);
      JwtAuthority jwt = new JwtAuthority(sa, clock);
      sa.rotate();
      String firstCa = store.signingCas().get(0).id();
      String first = jwt.sign(WEB, List.of("payments"), JwtAuthority.DEFAULT_TTL);
      String firstKid = kidOf(first);
      assertThat(sa.jwtAuthorities()).containsOnlyKeys(firstKid);
      assertThat(JwtSvids.validate(first, "payments", jwt.jwks(), clock.instant()).subject()).isEqualTo(WEB.toString());

      clock.set(T0.plus(Duration.ofHours(30))); // prepared: the successor's key is published, not used
      sa.rotate();
      assertThat(sa.jwtAuthorities()).hasSize(2).containsKey(firstKid);
      assertThat(kidOf(jwt.sign(WEB, List.of("payments"), JwtAuthority.DEFAULT_TTL))).isEqualTo(firstKid);

      clock.set(T0.plus(Duration.ofHours(50)).minusSeconds(60));
      String late = jwt.sign(WEB, List.of("payments"), JwtAuthority.DEFAULT_TTL);
      clock.set(T0.plus(Duration.ofHours(50))); // activated: the successor's key signs
      sa.rotate();
      String second = jwt.sign(WEB, List.of("payments"), JwtAuthority.DEFAULT_TTL);
      assertThat(kidOf(second)).isNotEqualTo(firstKid);
      assertThat(JwtSvids.validate(late, "payments", jwt.jwks(), clock.instant().plusSeconds(60)).subject())
          .as("a token the old key signed just before the switch still validates").isEqualTo(WEB.toString());
      assertThat(JwtSvids.validate(second, "payments", jwt.jwks(), clock.instant()).subject())
          .isEqualTo(WEB.toString());

      clock.set(T0.plus(Duration.ofHours(60))); // the first CA retires, and its JWT key with it
      sa.rotate();
      assertThat(sa.jwtAuthorities()).doesNotContainKey(firstKid).containsKey(kidOf(second));
      assertThat(keys.get(firstCa + "-jwt")).as("the retired CA's JWT key is deleted").isEmpty();
      String jwksNow = jwt.jwks();
      assertThatThrownBy(() -> JwtSvids.validate(first, "payments", jwksNow, T0))
          .hasMessageContaining("no JWT authority with key ID '" + firstKid + "'");
    }
  }

  @Test
  void aTokenNeverOutlivesTheCaWhoseKeySignedIt() throws Exception {
    ManualClock clock = new ManualClock(T0);
    try (JdbcDataStore store = JdbcDataStore.open("sqlite", dir)) {
      SigningAuthority sa = new SigningAuthority(TD, Upstream.selfSignedRoots(), Duration.ofMinutes(2),
          Duration.ofSeconds(20), new io.trustmesh.server.keymanager.MemoryKeyManager(), store, clock);
      sa.rotate();
      JwtAuthority jwt = new JwtAuthority(sa, clock);

      String token = jwt.sign(WEB, List.of("payments"), JwtAuthority.DEFAULT_TTL);

      assertThat(JwtSvids.validate(token, "payments", jwt.jwks(), clock.instant()).expiresAt())
          .isEqualTo(sa.activeNotAfter()).isBefore(clock.instant().plus(JwtAuthority.DEFAULT_TTL));
    }
  }

  @Test
  void aDataDirectoryWithTheOldSingleKeyIsUpgraded() throws Exception {
    ManualClock clock = new ManualClock(T0);
    try (JdbcDataStore store = JdbcDataStore.open("sqlite", dir)) {
      KeyManager keys = DiskKeyManager.open(dir.resolve("keys"), Optional.empty());
      new SigningAuthority(TD, Upstream.selfSignedRoots(), Duration.ofHours(60), Duration.ofHours(10), keys, store,
          clock).rotate();
      String caId = store.signingCas().get(0).id();
      keys.delete(caId + "-jwt"); // as an older version left it: no per-CA key ...
      keys.put("jwt-signing", KeyType.EC_P256.generate().getPrivate()); // ... and one long-lived key

      SigningAuthority restarted = new SigningAuthority(TD, Upstream.selfSignedRoots(), Duration.ofHours(60),
          Duration.ofHours(10), keys, store, clock);

      assertThat(keys.get(caId + "-jwt")).as("the active CA got a JWT key").isPresent();
      assertThat(keys.get("jwt-signing")).as("the long-lived key is gone").isEmpty();
      assertThat(restarted.jwtAuthorities()).hasSize(1);
      String token = new JwtAuthority(restarted, clock).sign(WEB, List.of("a"), JwtAuthority.DEFAULT_TTL);
      assertThat(JwtSvids.validate(token, "a", new JwtAuthority(restarted, clock).jwks(), clock.instant())).isNotNull();
    }
  }
}

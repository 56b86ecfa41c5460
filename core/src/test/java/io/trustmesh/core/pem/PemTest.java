package io.trustmesh.core.pem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.spiffe.TrustDomain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemTest {
  @TempDir Path dir;

  static final char[] PASS = "correct horse battery staple".toCharArray();

  @Test
  void encryptedKeyRoundTripsWithThePassphrase() throws Exception {
    KeyPair pair = KeyType.EC_P256.generate();
    Path file = dir.resolve("key.pem");
    Files.write(file, Pem.encodePrivateKey(pair.getPrivate(), Optional.of(PASS)));

    assertThat(Files.readString(file)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    assertThat(Pem.readPrivateKey(file, Optional.of(PASS)).getEncoded()).isEqualTo(pair.getPrivate().getEncoded());
    assertThat(Pem.keysMatch(Pem.readPrivateKey(file, Optional.of(PASS)), pair.getPublic())).isTrue();
  }

  @Test
  void wrongPassphraseIsRefusedClearly() throws Exception {
    Path file = dir.resolve("key.pem");
    Files.write(file, Pem.encodePrivateKey(KeyType.EC_P256.generate().getPrivate(), Optional.of(PASS)));

    assertThatThrownBy(() -> Pem.readPrivateKey(file, Optional.of("wrong".toCharArray())))
        .isInstanceOf(PemException.class).hasMessage("wrong passphrase for " + file);
    assertThatThrownBy(() -> Pem.readPrivateKey(file, Optional.empty()))
        .hasMessage(file + " is encrypted: pass the passphrase with --passphrase-file");
  }

  @Test
  void plainKeysOfEveryTypeRoundTrip() throws Exception {
    for (KeyType t : List.of(KeyType.EC_P256, KeyType.EC_P384, KeyType.RSA_2048)) {
      KeyPair pair = t.generate();
      Path file = dir.resolve(t.id() + ".pem");
      Files.write(file, Pem.encodePrivateKey(pair.getPrivate(), Optional.empty()));
      assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----");
      assertThat(Pem.keysMatch(Pem.readPrivateKey(file, Optional.empty()), pair.getPublic())).isTrue();
    }
  }

  @Test
  void keysThatDoNotBelongTogetherDoNotMatch() {
    assertThat(Pem.keysMatch(KeyType.EC_P256.generate().getPrivate(), KeyType.EC_P256.generate().getPublic())).isFalse();
    assertThat(Pem.keysMatch(KeyType.EC_P256.generate().getPrivate(), KeyType.RSA_2048.generate().getPublic())).isFalse();
  }

  @Test
  void certificatesRoundTripInOrder() throws Exception {
    X509Certificate a = Issuance.root(TrustDomain.parse("a.example")).selfSigned().certificate();
    X509Certificate b = Issuance.root(TrustDomain.parse("b.example")).selfSigned().certificate();
    Path file = dir.resolve("chain.pem");
    Files.write(file, Pem.encodeCertificates(List.of(a, b)));
    assertThat(Pem.readCertificates(file)).containsExactly(a, b);
  }

  @Test
  void derAndPkcs12AreReadForInspection() throws Exception {
    var root = Issuance.root(TrustDomain.parse("a.example")).selfSigned();
    Path der = dir.resolve("cert.der");
    Files.write(der, root.certificate().getEncoded());
    assertThat(Pem.readAnyCertificates(der, Optional.empty())).containsExactly(root.certificate());

    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("k", root.keyPair().orElseThrow().getPrivate(), "pw".toCharArray(),
        new X509Certificate[] {root.certificate()});
    Path p12 = dir.resolve("store.p12");
    try (var out = Files.newOutputStream(p12)) {
      ks.store(out, "pw".toCharArray());
    }
    assertThat(Pem.readAnyCertificates(p12, Optional.of("pw".toCharArray()))).containsExactly(root.certificate());
    assertThatThrownBy(() -> Pem.readAnyCertificates(p12, Optional.of("nope".toCharArray())))
        .hasMessageContaining("wrong or missing password");
  }

  @Test
  void badFilesAreNamedInOneLine() throws Exception {
    Path empty = Files.createFile(dir.resolve("empty.pem"));
    Path text = Files.writeString(dir.resolve("text.pem"), "hello\n");
    X509Certificate c = Issuance.root(TrustDomain.parse("a.example")).selfSigned().certificate();
    String pem = new String(Pem.encodeCertificates(List.of(c)), StandardCharsets.US_ASCII);
    Path truncated = Files.writeString(dir.resolve("truncated.pem"), pem.substring(0, pem.length() / 2));
    Path corrupt = Files.writeString(dir.resolve("corrupt.pem"),
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
    Path garbage = Files.write(dir.resolve("garbage.der"), new byte[] {0x30, 0x03, 0x01, 0x02});
    Path binary = Files.write(dir.resolve("binary"), new byte[] {0x7f, 0x45, 0x4c, 0x46});

    assertThatThrownBy(() -> Pem.readCertificates(empty)).hasMessage(empty + " is empty");
    assertThatThrownBy(() -> Pem.readCertificates(text)).hasMessage(text + " is not PEM (no -----BEGIN line)");
    assertThatThrownBy(() -> Pem.readCertificates(truncated)).hasMessageStartingWith("malformed PEM in " + truncated);
    assertThatThrownBy(() -> Pem.readCertificates(corrupt)).hasMessageStartingWith("malformed");
    assertThatThrownBy(() -> Pem.readCertificates(dir.resolve("missing.pem")))
        .hasMessage("file not found: " + dir.resolve("missing.pem"));
    assertThatThrownBy(() -> Pem.readAnyCertificates(garbage, Optional.empty()))
        .hasMessage(garbage + " is not a certificate file (neither PEM, DER nor PKCS#12)");
    assertThatThrownBy(() -> Pem.readAnyCertificates(binary, Optional.empty()))
        .hasMessage(binary + " is not a certificate file (neither PEM, DER nor PKCS#12)");
    for (Path p : List.of(empty, text, truncated, corrupt)) {
      assertThatThrownBy(() -> Pem.readPrivateKey(p, Optional.empty()))
          .isInstanceOf(PemException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
  }

  @Test
  void aCertificateFileIsNotAKey() throws Exception {
    X509Certificate c = Issuance.root(TrustDomain.parse("a.example")).selfSigned().certificate();
    Path file = Files.write(dir.resolve("cert.pem"), Pem.encodeCertificates(List.of(c)));
    assertThatThrownBy(() -> Pem.readPrivateKey(file, Optional.empty())).hasMessage("no private key found in " + file);
  }

  @Test
  void keysComeBackAsJdkKeysUsableByJsseEvenWithBouncyCastleRegistered() throws Exception {
    java.security.Provider bc = new org.bouncycastle.jce.provider.BouncyCastleProvider();
    java.security.Security.addProvider(bc);
    try {
      for (KeyType t : List.of(KeyType.EC_P256, KeyType.RSA_2048)) {
        Path plain = Files.write(dir.resolve(t.id() + "-plain.pem"),
            Pem.encodePrivateKey(t.generate().getPrivate(), Optional.empty()));
        Path encrypted = Files.write(dir.resolve(t.id() + "-enc.pem"),
            Pem.encodePrivateKey(t.generate().getPrivate(), Optional.of(PASS)));
        String expected = t.isRsa() ? "RSA" : "EC";
        assertThat(Pem.readPrivateKey(plain, Optional.empty()).getAlgorithm()).isEqualTo(expected);
        assertThat(Pem.readPrivateKey(encrypted, Optional.of(PASS)).getAlgorithm()).isEqualTo(expected);
      }
    } finally {
      java.security.Security.removeProvider(bc.getName());
    }
  }
}

package io.trustmesh.server.keymanager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.io.AtomicFiles;
import io.trustmesh.core.pem.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The contract on the disk key manager, plus what only files can show (issue 9 item 13): keys are
 * encrypted with the operator's passphrase or, without one, plainly protected by file permissions;
 * no passphrase is ever written next to them.
 */
class DiskKeyManagerTest extends KeyManagerContract {
  static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();

  @Override
  KeyManager open() {
    return DiskKeyManager.open(dir.resolve("keys"), Optional.empty());
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void withoutAPassphraseKeysArePlainOwnerOnlyAndNoPassphraseIsStoredBesideThem() throws Exception {
    KeyPair pair = KeyType.DEFAULT.generate();
    open().put("ca-1", pair.getPrivate());
    Path file = dir.resolve("keys").resolve("ca-1.key.pem");
    assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(mode(file)).isEqualTo("rw-------");
    assertThat(mode(dir.resolve("keys"))).isEqualTo("rwx------");
    try (var files = Files.list(dir.resolve("keys"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("ca-1.key.pem");
    }
    assertThat(open().get("ca-1")).hasValueSatisfying(k -> assertThat(Pem.keysMatch(k, pair.getPublic())).isTrue());
  }

  @Test
  void withTheOperatorsPassphraseKeysAreEncryptedAndUselessWithoutIt() throws Exception {
    KeyPair pair = KeyType.DEFAULT.generate();
    DiskKeyManager.open(dir.resolve("keys"), Optional.of(PASSPHRASE)).put("ca-1", pair.getPrivate());
    Path file = dir.resolve("keys").resolve("ca-1.key.pem");
    assertThat(Files.readString(file)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    assertThat(mode(file)).isEqualTo("rw-------");
    assertThat(DiskKeyManager.open(dir.resolve("keys"), Optional.of(PASSPHRASE)).get("ca-1"))
        .hasValueSatisfying(k -> assertThat(Pem.keysMatch(k, pair.getPublic())).isTrue());
    assertThatThrownBy(this::open).isInstanceOf(BadInputException.class)
        .hasMessage("key " + file + " is encrypted: pass its passphrase with --key-passphrase-file");
  }

  /** A key directory written by the old version: a generated passphrase file beside encrypted keys. */
  private KeyPair legacyDirectory() {
    KeyPair pair = KeyType.DEFAULT.generate();
    Path keys = dir.resolve("keys");
    char[] stored = "generated-and-stored-beside-the-keys".toCharArray();
    AtomicFiles.write(keys.resolve("passphrase"), new String(stored).getBytes(), true);
    AtomicFiles.write(keys.resolve("ca-1.key.pem"), Pem.encodePrivateKey(pair.getPrivate(), Optional.of(stored)), true);
    return pair;
  }

  @Test
  void anOldDirectoryLosesItsStoredPassphraseAndItsKeysBecomePlainWithoutTheOperators() throws Exception {
    KeyPair pair = legacyDirectory();
    KeyManager km = open();
    assertThat(dir.resolve("keys").resolve("passphrase")).doesNotExist();
    assertThat(Files.readString(dir.resolve("keys").resolve("ca-1.key.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(km.get("ca-1")).hasValueSatisfying(k -> assertThat(Pem.keysMatch(k, pair.getPublic())).isTrue());
  }

  @Test
  void anOldDirectoryIsReEncryptedWithTheOperatorsPassphrase() throws Exception {
    KeyPair pair = legacyDirectory();
    DiskKeyManager.open(dir.resolve("keys"), Optional.of(PASSPHRASE));
    assertThat(dir.resolve("keys").resolve("passphrase")).doesNotExist();
    assertThat(Pem.readPrivateKey(dir.resolve("keys").resolve("ca-1.key.pem"), Optional.of(PASSPHRASE)))
        .satisfies(k -> assertThat(Pem.keysMatch(k, pair.getPublic())).isTrue());
  }
}

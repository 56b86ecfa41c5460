package io.trustmesh.server.keymanager;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.pem.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on the disk key manager, plus what only files can show. */
class DiskKeyManagerTest extends KeyManagerContract {
  @Override
  KeyManager open() {
    return DiskKeyManager.open(dir.resolve("keys"), Optional.empty());
  }

  @Test
  void keysAreEncryptedOwnerOnlyAndSurviveARestart() throws Exception {
    KeyPair pair = KeyType.DEFAULT.generate();
    open().put("ca-1", pair.getPrivate());
    Path file = dir.resolve("keys").resolve("ca-1.key.pem");
    assertThat(Files.readString(file)).contains("ENCRYPTED PRIVATE KEY");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("keys").resolve("passphrase"))))
        .isEqualTo("rw-------");
    assertThat(open().get("ca-1")).hasValueSatisfying(k -> assertThat(Pem.keysMatch(k, pair.getPublic())).isTrue());
  }
}

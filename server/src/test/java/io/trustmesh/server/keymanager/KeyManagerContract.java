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

/** What every {@link KeyManager} must do, run against each implementation. */
abstract class KeyManagerContract {
  @TempDir Path dir;

  abstract KeyManager open();

  @Test
  void storesReturnsAndDeletesKeys() {
    KeyManager km = open();
    KeyPair pair = KeyType.DEFAULT.generate();
    km.put("ca-1", pair.getPrivate());
    assertThat(km.get("ca-1")).hasValueSatisfying(k -> assertThat(Pem.keysMatch(k, pair.getPublic())).isTrue());
    assertThat(km.get("ca-2")).isEmpty();
    km.delete("ca-1");
    assertThat(km.get("ca-1")).isEmpty();
  }
}

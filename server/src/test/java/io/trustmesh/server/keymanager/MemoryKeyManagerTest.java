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


/** The contract on the memory key manager. */
class MemoryKeyManagerTest extends KeyManagerContract {
  @Override
  KeyManager open() {
    return new MemoryKeyManager();
  }
}

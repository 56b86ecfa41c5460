package io.trustmesh.server.keymanager;

import java.security.PrivateKey;
import java.util.Optional;

/**
 * Where the server keeps its signing CAs' private keys. Implementations: {@link MemoryKeyManager}
 * (keys die with the process: a restart mints a new CA) and {@link DiskKeyManager} (PKCS#8 files,
 * mode 0600, encrypted only with the operator's passphrase). Every implementation passes the same contract test.
 */
public interface KeyManager {
  /** Stores a key under an ID, replacing any key of that ID. */
  void put(String id, PrivateKey key);

  Optional<PrivateKey> get(String id);

  void delete(String id);

  /** memory or disk */
  String name();
}

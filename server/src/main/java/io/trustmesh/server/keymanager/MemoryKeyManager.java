package io.trustmesh.server.keymanager;

import java.security.PrivateKey;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Keys in memory only. */
public final class MemoryKeyManager implements KeyManager {
  private final Map<String, PrivateKey> keys = new ConcurrentHashMap<>();

  @Override
  public void put(String id, PrivateKey key) {
    keys.put(id, key);
  }

  @Override
  public Optional<PrivateKey> get(String id) {
    return Optional.ofNullable(keys.get(id));
  }

  @Override
  public void delete(String id) {
    keys.remove(id);
  }

  @Override
  public String name() {
    return "memory";
  }
}

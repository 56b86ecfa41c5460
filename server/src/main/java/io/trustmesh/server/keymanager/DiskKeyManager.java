package io.trustmesh.server.keymanager;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.io.AtomicFiles;
import io.trustmesh.core.io.PrivateDirectory;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.pem.PemException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys as PKCS#8 files {@code DIR/ID.key.pem}, mode 0600, in a directory of mode 0700.
 *
 * <p>With the operator's passphrase ({@code trustmesh server --key-passphrase-file F}) each file is
 * encrypted (PBES2: PBKDF2-HMAC-SHA256 + AES-256-CBC), so a copied key directory or backup is useless
 * without F. Without one the keys are plain PKCS#8: protected by file permissions only, and said so.
 *
 * <p>Earlier versions generated a passphrase and stored it beside the keys ({@code DIR/passphrase}),
 * which encrypted nothing that a reader of the directory could not decrypt. Such a directory is
 * migrated on open: every key is re-written under the operator's passphrase (or in plain PKCS#8
 * without one) and the stored passphrase file is deleted, with a log line saying which.
 *
 * <pre>{@code
 * KeyManager keys = DiskKeyManager.open(dataDir.resolve("keys"), Optional.of(passphrase));
 * }</pre>
 */
public final class DiskKeyManager implements KeyManager {
  private static final Logger LOG = LoggerFactory.getLogger(DiskKeyManager.class);
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
  private static final String SUFFIX = ".key.pem";
  /** Where versions before the fix kept their generated passphrase. */
  static final String LEGACY_PASSPHRASE_FILE = "passphrase";

  private final Path dir;
  private final Optional<char[]> passphrase;

  private DiskKeyManager(Path dir, Optional<char[]> passphrase) {
    this.dir = dir;
    this.passphrase = passphrase;
  }

  /**
   * Keys under {@code dir} (created 0700, or checked to be this user's alone), encrypted with
   * {@code passphrase} when one is given.
   */
  public static DiskKeyManager open(Path dir, Optional<char[]> passphrase) {
    if (PrivateDirectory.ensure(dir, "key directory") == PrivateDirectory.Outcome.NARROWED) {
      LOG.warn("key directory {} was readable by others (an earlier version's 0755); narrowed it to 0700", dir);
    }
    DiskKeyManager km = new DiskKeyManager(dir, passphrase);
    km.migrateLegacyPassphrase();
    km.checkKeysMatchMode();
    return km;
  }

  /** True when keys are encrypted at rest with the operator's passphrase. */
  public boolean encrypted() {
    return passphrase.isPresent();
  }

  private void migrateLegacyPassphrase() {
    Path legacy = dir.resolve(LEGACY_PASSPHRASE_FILE);
    if (!Files.isRegularFile(legacy)) {
      return;
    }
    try {
      String first = Files.readString(legacy, StandardCharsets.UTF_8).lines().findFirst().orElse("");
      Optional<char[]> old = Optional.of(first.toCharArray());
      for (Path f : keyFiles()) {
        PrivateKey key;
        try {
          key = Pem.readPrivateKey(f, old);
        } catch (PemException e) {
          // Not under the stored passphrase: already migrated by an interrupted earlier start.
          continue;
        }
        AtomicFiles.write(f, Pem.encodePrivateKey(key, passphrase), true);
      }
      Files.delete(legacy);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot migrate the key directory " + dir + ": " + e.getMessage(), e);
    }
    LOG.warn("removed {} written by an earlier trustmesh version (a passphrase stored beside the keys protects"
        + " nothing); keys in {} are now {}", legacy, dir, passphrase.isPresent()
        ? "encrypted with --key-passphrase-file" : "protected by file permissions only (not encrypted);"
        + " pass --key-passphrase-file to encrypt them");
  }

  /**
   * An encrypted key without a passphrase cannot be used: say so now, not at the first rotation. A
   * plain key while a passphrase is given is encrypted on the spot.
   */
  private void checkKeysMatchMode() {
    for (Path f : keyFiles()) {
      boolean isEncrypted;
      try {
        isEncrypted = Files.readString(f, StandardCharsets.US_ASCII).contains("-----BEGIN ENCRYPTED PRIVATE KEY-----");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read key " + f + ": " + e.getMessage(), e);
      }
      if (isEncrypted && passphrase.isEmpty()) {
        throw new BadInputException("key " + f + " is encrypted: pass its passphrase with --key-passphrase-file");
      }
      if (!isEncrypted && passphrase.isPresent()) {
        AtomicFiles.write(f, Pem.encodePrivateKey(Pem.readPrivateKey(f, Optional.empty()), passphrase), true);
        LOG.info("encrypted key {} with --key-passphrase-file (it was protected by file permissions only)", f);
      }
    }
  }

  private List<Path> keyFiles() {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(p)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list key directory " + dir + ": " + e.getMessage(), e);
    }
  }

  private Path file(String id) {
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("invalid key id: " + id);
    }
    return dir.resolve(id + SUFFIX);
  }

  @Override
  public void put(String id, PrivateKey key) {
    AtomicFiles.write(file(id), Pem.encodePrivateKey(key, passphrase), true);
  }

  @Override
  public Optional<PrivateKey> get(String id) {
    Path f = file(id);
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    return Optional.of(Pem.readPrivateKey(f, passphrase));
  }

  @Override
  public void delete(String id) {
    try {
      Files.deleteIfExists(file(id));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String name() {
    return "disk";
  }
}

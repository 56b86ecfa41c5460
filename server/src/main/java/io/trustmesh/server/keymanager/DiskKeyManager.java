package io.trustmesh.server.keymanager;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.io.AtomicFiles;
import io.trustmesh.core.pem.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Keys as encrypted PKCS#8 files ({@code DIR/ID.key.pem}, PBKDF2 + AES-256, mode 0600). The
 * passphrase comes from a file: the operator's, or one generated at first use in
 * {@code DIR/passphrase} (0600) so that a copied key file alone is useless.
 */
public final class DiskKeyManager implements KeyManager {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
  private final Path dir;
  private final char[] passphrase;

  private DiskKeyManager(Path dir, char[] passphrase) {
    this.dir = dir;
    this.passphrase = passphrase;
  }

  /** Keys under {@code dir}; {@code passphraseFile} empty means a generated {@code dir/passphrase}. */
  public static DiskKeyManager open(Path dir, Optional<Path> passphraseFile) {
    try {
      Files.createDirectories(dir);
      Path file = passphraseFile.orElse(dir.resolve("passphrase"));
      if (passphraseFile.isEmpty() && !Files.exists(file)) {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        AtomicFiles.write(file, Base64.getUrlEncoder().withoutPadding().encode(random), true);
      }
      String first = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("");
      if (first.isEmpty()) {
        throw new BadInputException("key manager passphrase file " + file + " is empty");
      }
      return new DiskKeyManager(dir, first.toCharArray());
    } catch (IOException e) {
      throw new BadInputException("cannot open key directory " + dir + ": " + e.getMessage());
    }
  }

  private Path file(String id) {
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("invalid key id: " + id);
    }
    return dir.resolve(id + ".key.pem");
  }

  @Override
  public void put(String id, PrivateKey key) {
    AtomicFiles.write(file(id), Pem.encodePrivateKey(key, Optional.of(passphrase)), true);
  }

  @Override
  public Optional<PrivateKey> get(String id) {
    Path f = file(id);
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    return Optional.of(Pem.readPrivateKey(f, Optional.of(passphrase)));
  }

  @Override
  public void delete(String id) {
    try {
      Files.deleteIfExists(file(id));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public String name() {
    return "disk";
  }
}

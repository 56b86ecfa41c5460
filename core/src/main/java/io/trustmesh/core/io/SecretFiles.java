package io.trustmesh.core.io;

import io.trustmesh.core.BadInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a passphrase from a file the way ssh reads a private key: the file must be this user's
 * alone (no read or write for group or others), and the passphrase must be long enough to be worth
 * encrypting with. Every command that takes {@code --passphrase-file} or {@code --key-passphrase-file}
 * reads through here, so the rule is the same everywhere.
 *
 * <pre>{@code
 * char[] p = SecretFiles.passphrase(Path.of("ca.pass"), SecretFiles.Use.ENCRYPT);
 * }</pre>
 */
public final class SecretFiles {
  /** Shorter passphrases are refused when they are about to protect a new key. */
  public static final int MIN_PASSPHRASE_LENGTH = 12;

  /** What the passphrase is for: protecting a key now, or opening one protected earlier. */
  public enum Use {
    /** The length rule applies: a weak passphrase would be baked into a new key file. */
    ENCRYPT,
    /**
     * Opening a key encrypted earlier (perhaps by a version without the length rule): refusing a
     * short passphrase here would lock the operator out of their own root and protect nothing.
     */
    DECRYPT
  }

  private SecretFiles() {}

  /** The file's first line, without the line ending; refused with one line saying why. */
  public static char[] passphrase(Path file, Use use) {
    String content;
    try {
      requireOwnerOnly(file, "passphrase file");
      content = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new BadInputException("passphrase file not found: " + file);
    } catch (IOException e) {
      throw new BadInputException("cannot read passphrase file " + file + ": " + e.getMessage());
    }
    String first = content.lines().findFirst().orElse("");
    if (first.isEmpty()) {
      throw new BadInputException("passphrase file " + file + " is empty");
    }
    if (use == Use.ENCRYPT && first.length() < MIN_PASSPHRASE_LENGTH) {
      throw new BadInputException("passphrase in " + file + " is too short (" + first.length()
          + " characters; at least " + MIN_PASSPHRASE_LENGTH + " required)");
    }
    return first.toCharArray();
  }

  /**
   * Refuses a secret ({@code what}: "passphrase file", "upstream key", ...) that group or others may
   * read or write, the way ssh refuses such a private key: a secret others can read is no secret,
   * one they can write is theirs.
   */
  public static void requireOwnerOnly(Path file, String what) {
    try {
      FileOwnership owner = FileOwnership.of(file.toRealPath());
      if (!Files.isRegularFile(file)) {
        throw new BadInputException(what + " " + file + " is not a regular file");
      }
      if (owner.readableOrWritableByGroupOrOthers()) {
        throw new BadInputException(what + " " + file + " is accessible by group or others (mode "
            + String.format("%04o", owner.mode()) + "); make it readable by its owner only: chmod 600 " + file);
      }
    } catch (NoSuchFileException e) {
      throw new BadInputException(what + " not found: " + file);
    } catch (IOException e) {
      throw new BadInputException("cannot read " + what + " " + file + ": " + e.getMessage());
    }
  }
}

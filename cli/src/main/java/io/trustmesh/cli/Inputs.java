package io.trustmesh.cli;

import io.trustmesh.core.io.SecretFiles;
import java.nio.file.Path;
import java.util.Optional;

/** Reading small inputs the commands share. */
final class Inputs {
  private Inputs() {}

  /**
   * A passphrase from a file (see {@link SecretFiles}: owner-only file, and at least 12 characters
   * when it is about to encrypt a new key); empty when no file was given.
   */
  static Optional<char[]> passphrase(Path file, SecretFiles.Use use) {
    return file == null ? Optional.empty() : Optional.of(SecretFiles.passphrase(file, use));
  }
}

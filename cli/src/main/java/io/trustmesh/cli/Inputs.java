package io.trustmesh.cli;

import io.trustmesh.core.BadInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** Reading small inputs the commands share. */
final class Inputs {
  private Inputs() {}

  /** A passphrase from a file: its first line, without the line ending; never empty. */
  static Optional<char[]> passphrase(Path file) {
    if (file == null) {
      return Optional.empty();
    }
    try {
      String content = Files.readString(file, StandardCharsets.UTF_8);
      String first = content.lines().findFirst().orElse("");
      if (first.isEmpty()) {
        throw new BadInputException("passphrase file " + file + " is empty");
      }
      return Optional.of(first.toCharArray());
    } catch (NoSuchFileException e) {
      throw new BadInputException("passphrase file not found: " + file);
    } catch (IOException e) {
      throw new BadInputException("cannot read passphrase file " + file + ": " + e.getMessage());
    }
  }
}

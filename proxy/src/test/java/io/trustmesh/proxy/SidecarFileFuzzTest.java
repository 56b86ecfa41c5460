package io.trustmesh.proxy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.trustmesh.core.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * {@code sidecar.yaml} as an operator (or a templating bug) writes it: every malformed file is
 * refused with one {@link BadInputException} naming the file and the field; nothing else escapes
 * (no Jackson/SnakeYAML exception, no NPE, no hang on aliases or deep nesting). Each input is
 * written to {@code sidecar.yaml} in a private temp directory and loaded through the public
 * {@link SidecarFile#load}. Regression inputs:
 * {@code src/test/resources/io/trustmesh/proxy/SidecarFileFuzzTestInputs/}.
 */
class SidecarFileFuzzTest {
  static final Path DIR = tempDir();

  @FuzzTest(maxDuration = "5m")
  void load(byte[] yaml) throws IOException {
    Path file = DIR.resolve("sidecar.yaml");
    Files.write(file, yaml);
    SidecarFile loaded;
    try {
      loaded = SidecarFile.load(file);
    } catch (BadInputException refused) {
      if (refused.getMessage() == null || refused.getMessage().contains("\n")) {
        throw new AssertionError("a refusal must be one line: " + refused.getMessage());
      }
      return;
    }
    if (loaded.config() == null || loaded.identity() == null) {
      throw new AssertionError("loaded a sidecar file without config or identity");
    }
  }

  private static Path tempDir() {
    try {
      Path dir = Files.createTempDirectory("sidecar-fuzz");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try (Stream<Path> s = Files.walk(dir)) {
          s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
          // a temp directory left behind is harmless
        }
      }));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

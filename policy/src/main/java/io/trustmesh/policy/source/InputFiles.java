package io.trustmesh.policy.source;

import io.trustmesh.core.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Expands the command line's PATH arguments into files to read: a file as is, a directory
 * recursively (YAML and SPIRE {@code .conf}/{@code .hcl} files, in name order so that output is
 * stable), {@code -} for stdin. A path that does not exist is a usage error.
 */
public final class InputFiles {
  /** A file's name as it will appear in findings, and its text. */
  public record Input(String name, String text) {}

  private final InputStream stdin;

  public InputFiles(InputStream stdin) {
    this.stdin = stdin;
  }

  public List<Input> expand(List<String> paths) {
    List<Input> out = new ArrayList<>();
    for (String p : paths) {
      if (p.equals("-")) {
        try {
          out.add(new Input("-", new String(stdin.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
          throw new BadInputException("cannot read stdin: " + e.getMessage());
        }
        continue;
      }
      Path path = Path.of(p);
      if (Files.isDirectory(path)) {
        try (Stream<Path> walk = Files.walk(path)) {
          walk.filter(Files::isRegularFile).filter(InputFiles::isConfig).sorted()
              .forEach(f -> out.add(new Input(f.toString(), readText(f))));
        } catch (IOException e) {
          throw new BadInputException("cannot list " + p + ": " + e.getMessage());
        }
      } else if (Files.isRegularFile(path)) {
        out.add(new Input(p, readText(path)));
      } else {
        throw new BadInputException("no such file or directory: " + p);
      }
    }
    return out;
  }

  static boolean isConfig(Path f) {
    String n = f.getFileName().toString();
    return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json") || isHcl(n);
  }

  /** SPIRE writes its configuration in HCL: {@code server.conf}, {@code agent.conf}, or {@code *.hcl}. */
  public static boolean isHcl(String name) {
    return name.endsWith(".conf") || name.endsWith(".hcl");
  }

  private static String readText(Path f) {
    try {
      return Files.readString(f, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new BadInputException("cannot read " + f + ": " + e.getMessage());
    }
  }
}

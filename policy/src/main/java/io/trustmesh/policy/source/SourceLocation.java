package io.trustmesh.policy.source;

/**
 * Where an object or a field was read: a file (or {@code -} for stdin) and a 1-based line. Line 0
 * means "the whole file" (for example a file that could not be read at all).
 */
public record SourceLocation(String file, int line) {
  public static SourceLocation of(String file, int line) {
    return new SourceLocation(file, line);
  }

  /** Objects built in memory (for example by a renderer) have no file. */
  public static SourceLocation none() {
    return new SourceLocation("", 0);
  }

  @Override
  public String toString() {
    return line > 0 ? file + ":" + line : file;
  }
}

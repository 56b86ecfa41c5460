package io.trustmesh.policy.meshfile;

import io.trustmesh.core.BadInputException;

/**
 * A mesh file that cannot be used, with where: {@code trustmesh.yaml:14: services[1].ports[0].mode:
 * "STRIKT" is not one of STRICT, PERMISSIVE, DISABLE}. The CLI prints the message and exits 2.
 */
public final class MeshFileException extends BadInputException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final int line;
  private final String field;

  public MeshFileException(String file, int line, String field, String problem) {
    super(file + (line > 0 ? ":" + line : "") + ": " + (field.isEmpty() ? "" : field + ": ") + problem);
    this.file = file;
    this.line = line;
    this.field = field;
  }

  public String file() {
    return file;
  }

  /** 1-based line of the offending field (its closest parent when the field is missing); 0 if unknown. */
  public int line() {
    return line;
  }

  /** The field in dotted form with indexes, e.g. {@code services[1].ports[0].mode}; empty for the whole file. */
  public String field() {
    return field;
  }
}

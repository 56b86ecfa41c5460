package io.trustmesh.policy.source;

/** Input that could not be understood: malformed YAML or HCL, an unknown kind, an unsupported version. */
public record ReadProblem(Kind kind, String message, SourceLocation location) {
  public enum Kind {
    MALFORMED,
    /** A key repeated in one YAML mapping: refused, never "last one wins". */
    DUPLICATE_KEY,
    UNKNOWN_KIND,
    UNSUPPORTED_VERSION,
    INVALID_FIELD
  }
}

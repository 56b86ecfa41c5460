package io.trustmesh.core.verify;

/** Why a chain was refused; each has a stable machine name for JSON output and metrics. */
public enum Failure {
  EXPIRED("expired"),
  NOT_YET_VALID("not_yet_valid"),
  UNKNOWN_AUTHORITY("unknown_authority"),
  BAD_SIGNATURE("bad_signature"),
  NOT_A_CA("not_a_ca"),
  PATH_LENGTH_EXCEEDED("path_length_exceeded"),
  CHAIN_TOO_LONG("chain_too_long"),
  NAME_CONSTRAINTS_VIOLATED("name_constraints_violated"),
  KEY_USAGE("key_usage"),
  EXTENDED_KEY_USAGE("extended_key_usage"),
  UNKNOWN_CRITICAL_EXTENSION("unknown_critical_extension"),
  WEAK_ALGORITHM("weak_algorithm"),
  MALFORMED("malformed"),
  NAME_MISMATCH("name_mismatch"),
  NOT_AN_SVID("not_an_svid"),
  NO_BUNDLE("no_bundle"),
  SPIFFE_ID_MISMATCH("spiffe_id_mismatch"),
  REVOKED("revoked"),
  WORK_LIMIT("work_limit"),
  /**
   * Well-formed, but against a rule of the RFC 5280 or CA/Browser Forum profile that a modern
   * verifier enforces (a CA certificate as leaf, a missing key identifier, a CN not among the SANs).
   */
  NONCONFORMING("nonconforming");

  private final String code;

  Failure(String code) {
    this.code = code;
  }

  /** A stable lowercase name, e.g. {@code unknown_authority}. */
  public String code() {
    return code;
  }
}

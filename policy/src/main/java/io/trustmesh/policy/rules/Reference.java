package io.trustmesh.policy.rules;

/**
 * A compliance requirement a rule <em>supports</em> (never "satisfies": passing a lint rule is
 * evidence for a control, not the control). {@code id} is the requirement's own number.
 */
public record Reference(Framework framework, String id, String title) {
  public String display() {
    return switch (framework) {
      case PCI_DSS -> "PCI-DSS v4.0 " + id;
      case HIPAA -> "HIPAA " + id;
      case NIST_800_207 -> "NIST SP 800-207 " + id;
    };
  }
}

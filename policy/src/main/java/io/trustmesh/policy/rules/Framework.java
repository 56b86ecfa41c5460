package io.trustmesh.policy.rules;

/** Compliance frameworks a rule can support; {@code --profile} selects one. */
public enum Framework {
  PCI_DSS("pci-dss", "PCI-DSS v4.0"),
  HIPAA("hipaa", "HIPAA Security Rule"),
  NIST_800_207("nist-800-207", "NIST SP 800-207");

  private final String id;
  private final String title;

  Framework(String id, String title) {
    this.id = id;
    this.title = title;
  }

  public String id() {
    return id;
  }

  public String title() {
    return title;
  }

  public static Framework byId(String id) {
    for (Framework f : values()) {
      if (f.id.equals(id)) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown profile '" + id + "' (expected pci-dss, hipaa or nist-800-207)");
  }
}

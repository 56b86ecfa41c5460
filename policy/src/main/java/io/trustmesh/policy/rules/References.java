package io.trustmesh.policy.rules;

/**
 * The requirements rules cite, worded after the source documents: PCI-DSS v4.0 (March 2022),
 * the HIPAA Security Rule technical safeguards (45 CFR §164.312), and the seven tenets of zero
 * trust in NIST SP 800-207 section 2.1.
 */
final class References {
  private References() {}

  static final Reference PCI_4_2_1 = new Reference(Framework.PCI_DSS, "4.2.1",
      "Strong cryptography and security protocols safeguard PAN during transmission; only trusted keys and "
          + "certificates are accepted; certificates are confirmed valid and not expired or revoked");
  static final Reference PCI_4_2_1_1 = new Reference(Framework.PCI_DSS, "4.2.1.1",
      "An inventory of the entity's trusted keys and certificates used to protect PAN during transmission is maintained");
  static final Reference PCI_1_3_1 = new Reference(Framework.PCI_DSS, "1.3.1",
      "Inbound traffic to the CDE is restricted to only traffic that is necessary; all other traffic is denied");
  static final Reference PCI_7_2_5 = new Reference(Framework.PCI_DSS, "7.2.5",
      "All application and system accounts and related access privileges are assigned and managed");
  static final Reference PCI_12_3_3 = new Reference(Framework.PCI_DSS, "12.3.3",
      "Cryptographic cipher suites and protocols in use are documented and reviewed");

  static final Reference HIPAA_A_1 = new Reference(Framework.HIPAA, "§164.312(a)(1)", "Access control");
  static final Reference HIPAA_C_1 = new Reference(Framework.HIPAA, "§164.312(c)(1)", "Integrity");
  static final Reference HIPAA_D = new Reference(Framework.HIPAA, "§164.312(d)", "Person or entity authentication");
  static final Reference HIPAA_E_1 = new Reference(Framework.HIPAA, "§164.312(e)(1)", "Transmission security");
  static final Reference HIPAA_E_2_I = new Reference(Framework.HIPAA, "§164.312(e)(2)(i)", "Integrity controls (addressable)");
  static final Reference HIPAA_E_2_II = new Reference(Framework.HIPAA, "§164.312(e)(2)(ii)", "Encryption (addressable)");

  static final Reference NIST_T2 = new Reference(Framework.NIST_800_207, "tenet 2",
      "All communication is secured regardless of network location");
  static final Reference NIST_T3 = new Reference(Framework.NIST_800_207, "tenet 3",
      "Access to individual enterprise resources is granted on a per-session basis");
  static final Reference NIST_T4 = new Reference(Framework.NIST_800_207, "tenet 4",
      "Access to resources is determined by dynamic policy");
  static final Reference NIST_T5 = new Reference(Framework.NIST_800_207, "tenet 5",
      "The enterprise monitors and measures the integrity and security posture of all owned and associated assets");
  static final Reference NIST_T6 = new Reference(Framework.NIST_800_207, "tenet 6",
      "All resource authentication and authorization are dynamic and strictly enforced before access is allowed");
}

package io.trustmesh.core.verify;

import java.net.URI;
import java.net.URISyntaxException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;

/**
 * RFC 5280 §4.2.1.10 name constraints for DNS names, IP addresses, URIs, email addresses and
 * directory names, applied by each constraining CA to every certificate below it.
 *
 * <p>Defensive where the standards leave room: a wildcard DNS name such as {@code *.example.com}
 * is refused under an exclusion of any name it could match ({@code bar.example.com}), and is
 * permitted only when every name it could match is permitted. A name of a type the constraint
 * cannot be evaluated for (an {@code otherName} under an {@code otherName} constraint) is refused.
 * Work is bounded by {@link #MAX_COMPARISONS} name-against-subtree comparisons per path.
 */
final class NameConstraintsCheck {
  /** Name-against-subtree comparisons one path may cost (a denial-of-service guard). */
  static final int MAX_COMPARISONS = 1 << 20;

  private int comparisons;

  /** Thrown when a name violates a constraint; carries the reason. */
  static final class Violation extends Exception {
    private static final long serialVersionUID = 1L;
    final boolean workLimit;

    Violation(String reason, boolean workLimit) {
      super(reason, null, false, false);
      this.workLimit = workLimit;
    }
  }

  /** The names of one certificate that constraints apply to. */
  record Names(X500Name subject, List<GeneralName> sans, List<String> subjectEmails) {
    static Names of(X509Certificate c, List<GeneralName> sans) {
      X500Name subject = X500Name.getInstance(c.getSubjectX500Principal().getEncoded());
      List<String> emails = new ArrayList<>();
      for (RDN rdn : subject.getRDNs()) {
        for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
          if (atv.getType().equals(PKCSObjectIdentifiers.pkcs_9_at_emailAddress)) {
            emails.add(IETFUtils.valueToString(atv.getValue()));
          }
        }
      }
      return new Names(subject, sans, emails);
    }
  }

  /**
   * Checks {@code names} against one CA's constraints; throws with the reason on a violation.
   * Constraints must have been validated with {@link CertificateChecks#nameConstraintsProblem}.
   */
  void check(NameConstraints nc, Names names, String who, String ca) throws Violation {
    GeneralSubtree[] permitted = nc.getPermittedSubtrees();
    GeneralSubtree[] excluded = nc.getExcludedSubtrees();
    if (names.subject.getRDNs().length > 0) {
      GeneralName dn = new GeneralName(names.subject);
      apply(dn, permitted, excluded, who, ca);
    }
    for (String email : names.subjectEmails) {
      apply(new GeneralName(GeneralName.rfc822Name, email), permitted, excluded, who, ca);
    }
    for (GeneralName name : names.sans) {
      apply(name, permitted, excluded, who, ca);
    }
  }

  private void apply(GeneralName name, GeneralSubtree[] permitted, GeneralSubtree[] excluded, String who,
      String ca) throws Violation {
    int type = name.getTagNo();
    if (excluded != null) {
      for (GeneralSubtree t : excluded) {
        if (t.getBase().getTagNo() == type && matches(t.getBase(), name, true, who)) {
          throw new Violation(who + ": " + X509Verifier.describe(name) + " is excluded by the name constraints of "
              + ca, false);
        }
      }
    }
    if (permitted != null) {
      boolean anyOfType = false;
      for (GeneralSubtree t : permitted) {
        if (t.getBase().getTagNo() == type) {
          anyOfType = true;
          if (matches(t.getBase(), name, false, who)) {
            return;
          }
        }
      }
      if (anyOfType) {
        throw new Violation(who + ": " + X509Verifier.describe(name) + " is not within the permitted names of "
            + ca, false);
      }
    }
  }

  /**
   * Whether {@code name} is within subtree {@code base} (same type). For exclusions a wildcard
   * counts as within when it could match a name in the subtree; for permissions only when every
   * name it matches is.
   */
  private boolean matches(GeneralName base, GeneralName name, boolean exclusion, String who) throws Violation {
    if (++comparisons > MAX_COMPARISONS) {
      throw new Violation("gave up checking name constraints after " + MAX_COMPARISONS
          + " comparisons (too many names or constraints)", true);
    }
    switch (name.getTagNo()) {
      case GeneralName.dNSName:
        return dns(ia5(base), ia5(name), exclusion);
      case GeneralName.iPAddress:
        return ip(ASN1OctetString.getInstance(base.getName()).getOctets(),
            ASN1OctetString.getInstance(name.getName()).getOctets());
      case GeneralName.rfc822Name:
        return email(ia5(base), ia5(name));
      case GeneralName.uniformResourceIdentifier:
        return uri(ia5(base), ia5(name), who);
      case GeneralName.directoryName:
        return directory(X500Name.getInstance(base.getName()), X500Name.getInstance(name.getName()));
      default:
        throw new Violation(who + ": " + X509Verifier.describe(name)
            + " cannot be checked against a name constraint of the same type", false);
    }
  }

  private static String ia5(GeneralName n) {
    ASN1Encodable v = n.getName();
    return v instanceof ASN1IA5String s ? s.getString() : v.toString();
  }

  /** DNS subtree: the name itself or any name below it; the empty constraint matches all. */
  static boolean dns(String constraint, String name, boolean exclusion) {
    String c = lower(constraint);
    String n = lower(name);
    if (c.isEmpty()) {
      return true;
    }
    if (n.startsWith("*.")) {
      String base = n.substring(2);
      if (within(base, c) && !base.equals(c)) {
        return true; // every name *.base can match lies below c
      }
      if (base.equals(c)) {
        return true; // *.c matches only names below c
      }
      // *.base may still match c itself or names between: only an exclusion cares.
      return exclusion && within(c, base) && c.split("\\.").length == base.split("\\.").length + 1;
    }
    return within(n, c);
  }

  private static boolean within(String name, String subtree) {
    return name.equals(subtree) || name.endsWith("." + subtree);
  }

  /** IP subtree: address and mask (4+4 or 16+16 octets) against an address of the same family. */
  static boolean ip(byte[] constraint, byte[] address) {
    if (constraint.length != 2 * address.length) {
      return false;
    }
    for (int i = 0; i < address.length; i++) {
      byte mask = constraint[address.length + i];
      if ((address[i] & mask) != (constraint[i] & mask)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Email subtree: a full mailbox matches exactly (local part case-sensitive, asterisks literal);
   * a host matches every mailbox at that host; a leading period every host below the domain.
   */
  static boolean email(String constraint, String address) {
    int at = address.lastIndexOf('@');
    if (at < 0) {
      return false;
    }
    String local = address.substring(0, at);
    String host = lower(address.substring(at + 1));
    if (constraint.contains("@")) {
      int cat = constraint.lastIndexOf('@');
      return constraint.substring(0, cat).equals(local)
          && lower(constraint.substring(cat + 1)).equals(host);
    }
    String c = lower(constraint);
    if (c.startsWith(".")) {
      return host.endsWith(c);
    }
    return host.equals(c);
  }

  /** URI subtree: the host of the URI; a leading period means any host below the domain. */
  private static boolean uri(String constraint, String uri, String who) throws Violation {
    String host;
    try {
      host = new URI(uri).getHost();
    } catch (URISyntaxException e) {
      throw new Violation(who + ": URI " + uri + " is malformed and cannot be checked against name constraints",
          false);
    }
    if (host == null || host.isEmpty()) {
      throw new Violation(who + ": URI " + uri + " has no host to check against name constraints", false);
    }
    host = lower(host);
    String c = lower(constraint);
    if (c.startsWith(".")) {
      return host.endsWith(c);
    }
    return host.equals(c);
  }

  /** Directory-name subtree: the constraint's RDNs are a prefix of the name's. */
  static boolean directory(X500Name constraint, X500Name name) {
    RDN[] c = constraint.getRDNs();
    RDN[] n = name.getRDNs();
    if (c.length > n.length) {
      return false;
    }
    for (int i = 0; i < c.length; i++) {
      if (!IETFUtils.rDNAreEqual(c[i], n[i])) {
        return false;
      }
    }
    return true;
  }

  private static String lower(String s) {
    String l = s.toLowerCase(Locale.ROOT);
    return l.endsWith(".") && l.length() > 1 ? l.substring(0, l.length() - 1) : l;
  }
}

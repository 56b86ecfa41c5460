package io.trustmesh.policy.rules;

import static io.trustmesh.policy.rules.References.HIPAA_A_1;
import static io.trustmesh.policy.rules.References.HIPAA_C_1;
import static io.trustmesh.policy.rules.References.HIPAA_D;
import static io.trustmesh.policy.rules.References.HIPAA_E_1;
import static io.trustmesh.policy.rules.References.HIPAA_E_2_I;
import static io.trustmesh.policy.rules.References.HIPAA_E_2_II;
import static io.trustmesh.policy.rules.References.NIST_T2;
import static io.trustmesh.policy.rules.References.NIST_T3;
import static io.trustmesh.policy.rules.References.NIST_T4;
import static io.trustmesh.policy.rules.References.NIST_T5;
import static io.trustmesh.policy.rules.References.NIST_T6;
import static io.trustmesh.policy.rules.References.PCI_12_3_3;
import static io.trustmesh.policy.rules.References.PCI_1_3_1;
import static io.trustmesh.policy.rules.References.PCI_4_2_1;
import static io.trustmesh.policy.rules.References.PCI_4_2_1_1;
import static io.trustmesh.policy.rules.References.PCI_7_2_5;

import java.util.List;

/**
 * Every rule's id, severity, summary, fix and references. Ids are stable: a rule that changes
 * meaning gets a new id. docs/policy-rules.md has a section per id (a test keeps them in step).
 */
public final class RuleCatalog {
  private RuleCatalog() {}

  private static final List<Reference> TRANSPORT = List.of(PCI_4_2_1, HIPAA_E_1, HIPAA_E_2_II, NIST_T2);
  private static final List<Reference> AUTHN = List.of(PCI_4_2_1, HIPAA_D, HIPAA_E_2_I, NIST_T6);
  private static final List<Reference> AUTHZ = List.of(PCI_1_3_1, PCI_7_2_5, HIPAA_A_1, HIPAA_D, NIST_T3, NIST_T6);
  private static final List<Reference> ROTATION = List.of(PCI_4_2_1, HIPAA_D, HIPAA_E_1, NIST_T6);
  private static final List<Reference> CONFIG_CLARITY = List.of(PCI_12_3_3, HIPAA_E_1, NIST_T4);

  public static final RuleInfo INPUT_MALFORMED = rule("TM-INPUT-001", "malformed-input", Severity.ERROR,
      "A file is not valid YAML or HCL, or a document has no apiVersion/kind.",
      "Fix the syntax at the line shown; nothing after it in that file was analyzed.", List.of());
  public static final RuleInfo INPUT_UNKNOWN_KIND = rule("TM-INPUT-002", "unknown-kind", Severity.INFO,
      "A kind that trustmesh does not analyze.", "None needed; the object is skipped.", List.of());
  public static final RuleInfo INPUT_UNSUPPORTED_VERSION = rule("TM-INPUT-003", "unsupported-api-version", Severity.WARNING,
      "A known kind in an API version trustmesh does not read.",
      "Use a supported apiVersion (see docs/policy.md); the object was skipped, so results may be incomplete.", List.of());
  public static final RuleInfo INPUT_INVALID_FIELD = rule("TM-INPUT-004", "invalid-field", Severity.ERROR,
      "A field value the system itself would reject (a mode that does not exist, a port out of range, a bad duration).",
      "Correct the value; the object was skipped, as the admission webhook would reject it.", List.of());

  public static final RuleInfo DR_PLAINTEXT_TO_STRICT = rule("TM-ISTIO-001", "destinationrule-not-mtls-to-strict",
      Severity.ERROR, "A DestinationRule makes clients send DISABLE, SIMPLE or MUTUAL TLS to a STRICT port: every request fails.",
      "Use tls.mode ISTIO_MUTUAL for in-mesh hosts (or drop the tls block and let auto mTLS decide).", TRANSPORT);
  public static final RuleInfo DR_ISTIO_MUTUAL_NO_SIDECAR = rule("TM-ISTIO-002", "istio-mutual-without-sidecar",
      Severity.ERROR, "ISTIO_MUTUAL toward a port with no sidecar or in DISABLE mode: the handshake fails.",
      "Inject a sidecar into the destination, or use DISABLE for that host/port (or rely on auto mTLS).", TRANSPORT);
  public static final RuleInfo DR_MUTUAL_NO_CERT = rule("TM-ISTIO-003", "mutual-without-client-certificate",
      Severity.ERROR, "tls.mode MUTUAL without clientCertificate and privateKey (or credentialName): no client certificate is sent.",
      "Set credentialName to a secret with tls.crt/tls.key/ca.crt, or clientCertificate and privateKey.", AUTHN);
  public static final RuleInfo DR_NO_CA = rule("TM-ISTIO-004", "tls-without-server-verification", Severity.WARNING,
      "SIMPLE or MUTUAL without caCertificates (or credentialName), or with insecureSkipVerify: the server is not verified.",
      "Set caCertificates (or credentialName with ca.crt) and sni; never insecureSkipVerify.", AUTHN);
  public static final RuleInfo DR_DUPLICATE = rule("TM-ISTIO-005", "several-destinationrules-for-host", Severity.WARNING,
      "Several DestinationRules in one namespace name the same host: Istio merges them and the oldest traffic policy wins.",
      "Keep one DestinationRule per host and namespace.", CONFIG_CLARITY);
  public static final RuleInfo PA_DUPLICATE = rule("TM-ISTIO-006", "several-peerauthentications-same-scope",
      Severity.WARNING, "Several PeerAuthentications apply at the same scope: Istio uses the oldest and ignores the rest.",
      "Delete all but one; a workload needs one policy per scope.", CONFIG_CLARITY);
  public static final RuleInfo PA_ROOT_SELECTOR = rule("TM-ISTIO-007", "selector-in-root-namespace", Severity.WARNING,
      "A PeerAuthentication with a selector in the root namespace: Istio ignores it.",
      "Move it to the workload's namespace, or remove the selector to make it mesh-wide.", CONFIG_CLARITY);
  public static final RuleInfo PA_PORT_NO_SELECTOR = rule("TM-ISTIO-008", "port-level-mtls-without-selector",
      Severity.ERROR, "portLevelMtls in a mesh- or namespace-wide PeerAuthentication: Istio's CRD refuses the whole policy; neither its mode nor its port modes apply.",
      "Put port-level settings in a PeerAuthentication with a selector.", TRANSPORT);
  public static final RuleInfo PA_PORT_NOT_EXPOSED = rule("TM-ISTIO-009", "port-level-mtls-unknown-port", Severity.WARNING,
      "portLevelMtls names a port none of the selected workloads declares: the override never applies.",
      "Use the container port number (not a Service port); check the selector.", TRANSPORT);
  public static final RuleInfo PA_PORT_SERVICE_PORT = rule("TM-ISTIO-010", "port-level-mtls-on-service-port",
      Severity.ERROR, "portLevelMtls is keyed on a Service port whose targetPort is a different container port: the override misses.",
      "Key portLevelMtls on the container port the Service's targetPort maps to.", TRANSPORT);
  public static final RuleInfo AUTHZ_NOT_STRICT = rule("TM-ISTIO-011", "identity-authorization-on-plaintext-port",
      Severity.ERROR, "An AuthorizationPolicy matches on principals/namespaces in front of a port that accepts plaintext: "
          + "plaintext callers have no identity, so ALLOW rules never match them and DENY rules never stop them.",
      "Make the port STRICT (PeerAuthentication) before relying on identity-based authorization.", AUTHZ);
  public static final RuleInfo AUTHZ_FOREIGN_TRUST_DOMAIN = rule("TM-ISTIO-012", "principal-in-foreign-trust-domain",
      Severity.WARNING, "An AuthorizationPolicy names principals of another trust domain than the mesh's.",
      "Use the mesh's trust domain, or configure trustDomainAliases / federation deliberately.", AUTHZ);
  public static final RuleInfo PA_SELECTOR_MATCHES_NOTHING = rule("TM-ISTIO-013", "selector-matches-no-workload",
      Severity.INFO, "A workload-level PeerAuthentication selects no workload in the inputs.",
      "Check the labels; a policy that selects nothing protects nothing.", CONFIG_CLARITY);

  public static final RuleInfo PRODUCTION_NOT_STRICT = rule("TM-MTLS-001", "production-not-strict", Severity.ERROR,
      "A port in a production namespace (--production) accepts plaintext (PERMISSIVE, DISABLE or no proxy); "
          + "DISABLE on a metrics or health port is the one exception.",
      "Set STRICT for the namespace; keep exceptions to metrics/health ports with a workload-level port override.", TRANSPORT);
  public static final RuleInfo NAMESPACE_PERMISSIVE = rule("TM-MTLS-002", "namespace-still-permissive", Severity.WARNING,
      "A namespace with mesh workloads is still PERMISSIVE (explicitly, or by Istio's default).",
      "Run 'trustmesh migrate plan' and move the namespace to STRICT.", TRANSPORT);
  public static final RuleInfo DISABLE_NOT_TELEMETRY = rule("TM-MTLS-003", "disable-on-application-port", Severity.WARNING,
      "mTLS DISABLE on a port that is not a metrics or health port.",
      "Use STRICT (or PERMISSIVE during migration); DISABLE only for scrape and probe ports.", TRANSPORT);

  public static final RuleInfo LINKERD_SKIP_PORTS = rule("TM-LINKERD-001", "skip-ports-bypass-mtls", Severity.WARNING,
      "config.linkerd.io/skip-inbound-ports or skip-outbound-ports bypasses the proxy (and mTLS) for an application port.",
      "Remove the port from the skip list; use opaque-ports for server-speaks-first protocols instead.", TRANSPORT);
  public static final RuleInfo LINKERD_ALL_UNAUTHENTICATED = rule("TM-LINKERD-002", "default-all-unauthenticated",
      Severity.WARNING, "default-inbound-policy all-unauthenticated admits clients without mesh identity.",
      "Use all-authenticated (or cluster-authenticated) and add Servers with authorizations for exceptions.", AUTHZ);

  public static final RuleInfo CERT_LONG_DURATION = rule("TM-CERT-001", "leaf-duration-over-24h", Severity.WARNING,
      "A leaf Certificate lives longer than 24h (cert-manager's default is 90 days).",
      "Set spec.duration to 24h or less (e.g. 24h) with renewBefore 8h.", ROTATION);
  public static final RuleInfo CERT_NO_RENEW_BEFORE = rule("TM-CERT-002", "renew-before-missing", Severity.WARNING,
      "A leaf Certificate has no renewBefore (or renewBeforePercentage): renewal time is implicit.",
      "Set renewBefore to about a third of the duration.", ROTATION);
  public static final RuleInfo CERT_RENEW_BEFORE_SMALL = rule("TM-CERT-003", "renew-before-too-small", Severity.WARNING,
      "renewBefore is under 5 minutes or under a tenth of the duration: an issuer outage becomes an expiry outage.",
      "Set renewBefore to about a third of the duration.", ROTATION);
  public static final RuleInfo CERT_RENEW_BEFORE_TOO_LARGE = rule("TM-CERT-004", "renew-before-not-less-than-duration",
      Severity.ERROR, "renewBefore is not less than duration: cert-manager ignores it and renews at 2/3 of the lifetime.",
      "Make renewBefore smaller than duration.", ROTATION);
  public static final RuleInfo CERT_RENEW_BOTH = rule("TM-CERT-005", "renew-before-and-percentage", Severity.ERROR,
      "renewBefore and renewBeforePercentage are both set: cert-manager rejects the Certificate.",
      "Keep one of the two.", ROTATION);
  public static final RuleInfo CERT_USAGES = rule("TM-CERT-006", "missing-tls-usages", Severity.WARNING,
      "A leaf Certificate for mTLS lacks the 'client auth' or 'server auth' usage (without usages cert-manager sets neither).",
      "Set usages: [digital signature, key encipherment, server auth, client auth].", AUTHN);
  public static final RuleInfo CERT_WEAK_RSA = rule("TM-CERT-007", "rsa-key-under-2048", Severity.ERROR,
      "An RSA private key under 2048 bits.", "Use ECDSA P-256 (algorithm: ECDSA, size: 256) or RSA of at least 2048 bits.",
      List.of(PCI_4_2_1, HIPAA_E_2_II, NIST_T2));
  public static final RuleInfo CERT_SELF_SIGNED = rule("TM-CERT-008", "self-signed-issuer-for-workloads", Severity.WARNING,
      "A workload (leaf) Certificate is issued directly by a selfSigned issuer: every certificate is its own root.",
      "Use selfSigned only to bootstrap a CA Certificate, then a 'ca' issuer (or SPIRE/trustmesh) for workloads.",
      List.of(PCI_4_2_1, PCI_4_2_1_1, HIPAA_D, NIST_T6));
  public static final RuleInfo CERT_ISSUER_MISSING = rule("TM-CERT-009", "issuer-not-found", Severity.ERROR,
      "A Certificate's issuerRef names an Issuer or ClusterIssuer that is not in the inputs.",
      "Create the issuer, or fix issuerRef name and kind (Issuer is namespaced; ClusterIssuer is not).",
      List.of(PCI_4_2_1_1, NIST_T5));

  public static final RuleInfo SPIRE_SVID_TTL = rule("TM-SPIRE-001", "svid-ttl-above-ca-ttl-sixth", Severity.WARNING,
      "default_x509_svid_ttl is above ca_ttl/6: SPIRE then issues SVIDs shorter than configured.",
      "Set default_x509_svid_ttl to ca_ttl/6 or less (e.g. ca_ttl 168h, SVID 1h).", ROTATION);
  public static final RuleInfo SPIRE_CA_TTL = rule("TM-SPIRE-002", "ca-ttl-out-of-range", Severity.WARNING,
      "ca_ttl is under 24h (rotation churn, little room for outages) or above a year (a stolen CA key lasts).",
      "Use a ca_ttl between 24h and 8760h; 168h is a common choice.", ROTATION);
  public static final RuleInfo SPIRE_MEMORY_KEYS = rule("TM-SPIRE-003", "memory-key-manager", Severity.WARNING,
      "KeyManager \"memory\": the signing keys are lost on every restart.",
      "Use KeyManager \"disk\" (or a KMS plugin) in production.", List.of(PCI_4_2_1_1, NIST_T5));
  public static final RuleInfo SPIRE_SQLITE_HA = rule("TM-SPIRE-004", "sqlite-with-several-servers", Severity.ERROR,
      "Several SPIRE servers of one trust domain and a sqlite3 datastore: SQLite cannot be shared between servers.",
      "Use database_type \"postgres\" (or mysql) for more than one server.", List.of(HIPAA_C_1, NIST_T5));
  public static final RuleInfo SPIRE_INSECURE_BOOTSTRAP = rule("TM-SPIRE-005", "insecure-bootstrap", Severity.ERROR,
      "agent insecure_bootstrap = true: the agent trusts whatever server answers first.",
      "Distribute the trust bundle (trust_bundle_path or trust_bundle_url) and remove insecure_bootstrap.", AUTHN);

  public static final List<RuleInfo> ALL = List.of(INPUT_MALFORMED, INPUT_UNKNOWN_KIND, INPUT_UNSUPPORTED_VERSION,
      INPUT_INVALID_FIELD, DR_PLAINTEXT_TO_STRICT, DR_ISTIO_MUTUAL_NO_SIDECAR, DR_MUTUAL_NO_CERT, DR_NO_CA, DR_DUPLICATE,
      PA_DUPLICATE, PA_ROOT_SELECTOR, PA_PORT_NO_SELECTOR, PA_PORT_NOT_EXPOSED, PA_PORT_SERVICE_PORT, AUTHZ_NOT_STRICT,
      AUTHZ_FOREIGN_TRUST_DOMAIN, PA_SELECTOR_MATCHES_NOTHING, PRODUCTION_NOT_STRICT, NAMESPACE_PERMISSIVE,
      DISABLE_NOT_TELEMETRY, LINKERD_SKIP_PORTS, LINKERD_ALL_UNAUTHENTICATED, CERT_LONG_DURATION, CERT_NO_RENEW_BEFORE,
      CERT_RENEW_BEFORE_SMALL, CERT_RENEW_BEFORE_TOO_LARGE, CERT_RENEW_BOTH, CERT_USAGES, CERT_WEAK_RSA, CERT_SELF_SIGNED,
      CERT_ISSUER_MISSING, SPIRE_SVID_TTL, SPIRE_CA_TTL, SPIRE_MEMORY_KEYS, SPIRE_SQLITE_HA, SPIRE_INSECURE_BOOTSTRAP);

  private static RuleInfo rule(String id, String name, Severity severity, String summary, String fix, List<Reference> refs) {
    return new RuleInfo(id, name, severity, summary, fix, refs);
  }
}

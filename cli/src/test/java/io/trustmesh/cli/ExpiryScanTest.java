package io.trustmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.time.ManualClock;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trustmesh expiry scan} over a tree that mixes PEM, DER, PKCS#12, JKS, a Kubernetes Secret
 * manifest and a kubeconfig (plus a private key it must skip): the exit code at each threshold
 * (Nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN) and the Prometheus textfile parsed back.
 */
class ExpiryScanTest {
  @TempDir static Path tmp;
  static Path tree;
  static IssuedCertificate fresh;
  static IssuedCertificate ageing;
  static IssuedCertificate root;
  static IssuedCertificate intermediate;
  static IssuedCertificate secretLeaf;

  @BeforeAll
  static void tree() throws Exception {
    TrustDomain td = TrustDomain.parse("example.org");
    ManualClock past = new ManualClock(Instant.now().minus(Duration.ofDays(10)));
    root = Issuance.root(td).clock(past).selfSigned();
    CertificateAuthority rootCa = CertificateAuthority.of(List.of(root.certificate()), root.keyPair().orElseThrow().getPrivate());
    intermediate = Issuance.intermediate("cluster-1", td).clock(past).signedBy(rootCa);
    CertificateAuthority ca = CertificateAuthority.of(intermediate.chain(), intermediate.keyPair().orElseThrow().getPrivate());
    fresh = Issuance.workload(SpiffeId.parse("spiffe://example.org/ns/prod/sa/web")).ttl(Duration.ofHours(24)).signedBy(ca);
    // 17h into a 24h life: 29% left, past the default 2/3 warning, before the 5/6 critical mark.
    ageing = Issuance.workload(SpiffeId.parse("spiffe://example.org/ns/prod/sa/batch"))
        .clock(new ManualClock(Instant.now().minus(Duration.ofHours(17)))).ttl(Duration.ofHours(24)).signedBy(ca);
    secretLeaf = Issuance.workload(SpiffeId.parse("spiffe://example.org/ns/prod/sa/ingress")).dnsNames("ingress.example.org")
        .ttl(Duration.ofHours(24)).signedBy(ca);

    tree = tmp.resolve("tree");
    Files.createDirectories(tree.resolve("pem"));
    Files.createDirectories(tree.resolve("der"));
    Files.createDirectories(tree.resolve("stores"));
    Files.createDirectories(tree.resolve("k8s"));
    Files.write(tree.resolve("pem/svid.pem"), Pem.encodeCertificates(fresh.chain()));
    Files.write(tree.resolve("pem/svid_key.pem"), Pem.encodePrivateKey(fresh.keyPair().orElseThrow().getPrivate(), Optional.empty()));
    Files.write(tree.resolve("der/intermediate.der"), intermediate.certificate().getEncoded());

    char[] password = "s3cret".toCharArray();
    KeyStore p12 = KeyStore.getInstance("PKCS12");
    p12.load(null, null);
    p12.setKeyEntry("batch", ageing.keyPair().orElseThrow().getPrivate(), password,
        ageing.chain().toArray(new X509Certificate[0]));
    try (OutputStream out = Files.newOutputStream(tree.resolve("stores/batch.p12"))) {
      p12.store(out, password);
    }
    KeyStore jks = KeyStore.getInstance("JKS");
    jks.load(null, null);
    jks.setCertificateEntry("root", root.certificate());
    try (OutputStream out = Files.newOutputStream(tree.resolve("stores/truststore.jks"))) {
      jks.store(out, password);
    }
    Files.writeString(tmp.resolve("password.txt"), "s3cret\n");

    Base64.Encoder b64 = Base64.getEncoder();
    Files.writeString(tree.resolve("k8s/ingress-tls.yaml"), String.join("\n",
        "apiVersion: v1",
        "kind: Secret",
        "metadata:",
        "  name: ingress-tls",
        "  namespace: edge",
        "type: kubernetes.io/tls",
        "data:",
        "  tls.crt: " + b64.encodeToString(Pem.encodeCertificates(List.of(secretLeaf.certificate()))),
        "  tls.key: " + b64.encodeToString("not a certificate".getBytes(StandardCharsets.US_ASCII)),
        "  ca.crt: " + b64.encodeToString(Pem.encodeCertificates(List.of(root.certificate()))),
        ""));
    Files.writeString(tree.resolve("k8s/kubeconfig"), String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: prod",
        "  cluster:",
        "    server: https://10.0.0.1:6443",
        "    certificate-authority-data: " + b64.encodeToString(Pem.encodeCertificates(List.of(intermediate.certificate()))),
        "users:",
        "- name: admin",
        "  user:",
        "    client-certificate-data: " + b64.encodeToString(Pem.encodeCertificates(List.of(fresh.certificate()))),
        ""));
  }

  private static Cli.Result scan(Object... extra) {
    List<Object> args = new ArrayList<>(List.of("expiry", "scan", "--keystore-password-file", tmp.resolve("password.txt")));
    args.addAll(List.of(extra));
    args.add(tree);
    return Cli.run(args.toArray());
  }

  @Test
  void defaultThresholdsWarnOnALeafPastTwoThirdsOfItsLife() {
    Cli.Result r = scan();
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).startsWith("EXPIRY WARNING").contains("batch.p12#batch", "spiffe://example.org/ns/prod/sa/batch");
    // every source was read: PEM, DER, PKCS#12, JKS, the Secret (both keys) and the kubeconfig (both fields)
    assertThat(r.out()).contains("pem/svid.pem", "der/intermediate.der", "stores/batch.p12", "stores/truststore.jks#root",
        "(edge/ingress-tls tls.crt)", "(edge/ingress-tls ca.crt)", "certificate-authority-data", "client-certificate-data");
    assertThat(r.out()).doesNotContain("svid_key.pem");
    // sorted by time left: the ageing leaf first
    List<String> rows = r.out().lines().skip(2).toList();
    assertThat(rows.get(0)).startsWith("WARNING").contains("batch");
  }

  @Test
  void everythingOkUnderLooseThresholds() {
    Cli.Result r = scan("--warn", "2h", "--crit", "1h");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).startsWith("EXPIRY OK - 10 certificate(s)");
  }

  @Test
  void criticalInsideTheCriticalThreshold() {
    Cli.Result r = scan("--warn", "30d", "--crit", "8h");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.out()).startsWith("EXPIRY CRITICAL");
  }

  @Test
  void percentageThresholds() {
    Cli.Result r = scan("--warn", "50%", "--crit", "30%");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2); // the batch leaf has 29% of its life left
  }

  @Test
  void expiredCertificateIsCritical() throws Exception {
    Path dir = tmp.resolve("with-expired");
    Files.createDirectories(dir);
    TrustDomain td = TrustDomain.parse("example.org");
    IssuedCertificate old = Issuance.root(td).clock(new ManualClock(Instant.now().minus(Duration.ofDays(3))))
        .ttl(Duration.ofDays(1)).selfSigned();
    Files.write(dir.resolve("old-root.crt"), Pem.encodeCertificates(List.of(old.certificate())));
    Cli.Result r = Cli.run("expiry", "scan", "--warn", "1h", "--crit", "30m", dir);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.out()).contains("EXPIRED", "expired 2d ago");
  }

  @Test
  void unreadableKeystoreIsUnknown() {
    Cli.Result r = Cli.run("expiry", "scan", "--warn", "2h", "--crit", "1h", tree.resolve("stores/batch.p12"));
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(3);
    assertThat(r.out()).startsWith("EXPIRY UNKNOWN").contains("UNKNOWN " + tree.resolve("stores/batch.p12"), "password");
  }

  @Test
  void usageErrorsExitThree() {
    Cli.Result bad = Cli.run("expiry", "scan", "--warn", "soon", tree);
    assertThat(bad.exitCode()).isEqualTo(3);
    assertThat(bad.errLines()).singleElement().asString().contains("invalid threshold 'soon'");
    assertThat(Cli.run("expiry", "scan").exitCode()).isEqualTo(3);
    assertThat(Cli.run("expiry", "scan", "--bogus", tree).exitCode()).isEqualTo(3);
  }

  @Test
  void prometheusTextfileParsesBackWithTheExportersNames() throws Exception {
    Path prom = tmp.resolve("textfile/trustmesh_x509.prom");
    Cli.Result r = scan("--prometheus-textfile", prom);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(prom))).isEqualTo("rw-r--r--");
    try (var s = Files.list(prom.getParent())) {
      assertThat(s).containsExactly(prom); // no temporary left behind
    }
    Pattern sample = Pattern.compile("^(\\w+)\\{(.*)\\} (\\S+)$");
    Pattern label = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    List<Map<String, String>> notAfter = new ArrayList<>();
    Map<String, Integer> counts = new HashMap<>();
    for (String line : Files.readAllLines(prom)) {
      if (line.startsWith("#") || line.startsWith("x509_read_errors")) {
        continue;
      }
      Matcher m = sample.matcher(line);
      assertThat(m.matches()).as(line).isTrue();
      counts.merge(m.group(1), 1, Integer::sum);
      if (m.group(1).equals("x509_cert_not_after")) {
        Map<String, String> labels = new HashMap<>();
        Matcher l = label.matcher(m.group(2));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
        labels.put("__value", m.group(3));
        notAfter.add(labels);
      }
    }
    assertThat(counts).containsEntry("x509_cert_not_after", 10).containsEntry("x509_cert_not_before", 10)
        .containsEntry("x509_cert_expired", 10);
    assertThat(Files.readString(prom)).contains("x509_read_errors 0");
    Map<String, String> secret = notAfter.stream().filter(l -> "tls.crt".equals(l.get("secret_key"))).findFirst().orElseThrow();
    assertThat(secret).containsEntry("secret_namespace", "edge").containsEntry("secret_name", "ingress-tls")
        .containsEntry("serial_number", new BigInteger(1, secretLeaf.serialNumber().toByteArray()).toString())
        .containsEntry("subject_CN", "ingress.example.org")
        .containsEntry("issuer_CN", "trustmesh intermediate CA cluster-1")
        .containsEntry("__value", String.valueOf(secretLeaf.certificate().getNotAfter().toInstant().getEpochSecond()))
        .containsKey("filepath");
    Map<String, String> der = notAfter.stream().filter(l -> l.getOrDefault("filepath", "").endsWith("intermediate.der"))
        .findFirst().orElseThrow();
    assertThat(der).containsEntry("subject_CN", "trustmesh intermediate CA cluster-1").containsEntry("issuer_CN", "trustmesh root CA");
  }

  @Test
  void jsonOutput() {
    Cli.Result r = scan("--output", "json");
    assertThat(r.out()).contains("\"status\" : \"WARNING\"", "\"exit_code\" : 1", "\"secret_name\" : \"ingress-tls\"");
  }

  @Test
  void helpTeachesWithAnExample() {
    Cli.Result r = Cli.run("expiry", "scan", "--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("Examples:", "trustmesh expiry scan", "3 UNKNOWN");
  }
}

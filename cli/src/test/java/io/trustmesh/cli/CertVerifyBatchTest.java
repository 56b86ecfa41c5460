package io.trustmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.crypto.CryptoProviders;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code trustmesh cert verify --batch}: JSON lines in, one verdict line per case out. */
class CertVerifyBatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TrustDomain TD = TrustDomain.parse("example.org");
  private static IssuedCertificate root;
  private static IssuedCertificate intermediate;
  private static IssuedCertificate svid;

  private final InputStream originalIn = System.in;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeAll
  static void hierarchy() {
    CryptoProviders.install();
    root = Issuance.root(TD).selfSigned();
    intermediate = Issuance.intermediate("cluster-1", TD).signedBy(ca(root));
    svid = Issuance.workload(SpiffeId.parse("spiffe://example.org/web")).dnsNames("web.example.org")
        .signedBy(ca(intermediate));
  }

  private static CertificateAuthority ca(IssuedCertificate c) {
    return CertificateAuthority.of(c.chain(), c.keyPair().orElseThrow().getPrivate());
  }

  @AfterEach
  void restoreStdin() {
    System.setIn(originalIn);
  }

  private static String pem(X509Certificate c) {
    return new String(Pem.encodeCertificates(List.of(c)), StandardCharsets.US_ASCII);
  }

  private static ObjectNode baseCase(String id) {
    ObjectNode c = JSON.createObjectNode();
    c.put("id", id);
    c.putArray("trusted").add(pem(root.certificate()));
    c.putArray("intermediates").add(pem(intermediate.certificate()));
    c.put("leaf", pem(svid.certificate()));
    c.putNull("at");
    c.put("usage", "server");
    return c;
  }

  private int run(String stdin, String... args) {
    System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    return Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  private List<JsonNode> verdicts() throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : out.toString().split("\\R")) {
      if (!line.isBlank()) {
        lines.add(JSON.readTree(line));
      }
    }
    return lines;
  }

  @Test
  void writesOneVerdictPerCaseInOrder() throws Exception {
    ObjectNode valid = baseCase("valid").put("dns", "web.example.org");
    ObjectNode wrongName = baseCase("wrong-name").put("dns", "db.example.org");
    ObjectNode noIntermediate = baseCase("no-intermediate");
    noIntermediate.putArray("intermediates");
    ObjectNode spiffe = baseCase("spiffe").put("spiffe_id", "spiffe://example.org/web");
    ObjectNode otherDomain = baseCase("other-domain").put("trust_domain", "other.org");

    int code = run(String.join("\n", valid.toString(), wrongName.toString(), noIntermediate.toString(),
        spiffe.toString(), otherDomain.toString()) + "\n", "cert", "verify", "--batch");

    List<JsonNode> v = verdicts();
    assertThat(v).extracting(n -> n.get("id").asText())
        .containsExactly("valid", "wrong-name", "no-intermediate", "spiffe", "other-domain");
    assertThat(v).extracting(n -> n.get("result").asText())
        .containsExactly("valid", "invalid", "invalid", "valid", "invalid");
    assertThat(v.get(0).get("reason").asText()).isEmpty();
    assertThat(v.get(1).get("reason").asText()).contains("is not valid for DNS name db.example.org");
    assertThat(v.get(1).get("failure").asText()).isEqualTo("name_mismatch");
    assertThat(v.get(2).get("reason").asText()).startsWith("certificate signed by unknown authority");
    assertThat(v.get(4).get("reason").asText())
        .isEqualTo("no trust bundle for trust domain example.org (peer spiffe://example.org/web)");
    assertThat(code).isEqualTo(Main.FAILED);
  }

  @Test
  void exitsZeroWhenEveryCaseIsValid() throws Exception {
    int code = run(baseCase("a").toString() + "\n\n" + baseCase("b").toString() + "\n", "cert", "verify", "--batch");

    assertThat(code).isEqualTo(Main.OK);
    assertThat(verdicts()).extracting(n -> n.get("result").asText()).containsExactly("valid", "valid");
  }

  @Test
  void reportsAMalformedLineAsAnErrorAndGoesOn() throws Exception {
    ObjectNode noLeaf = baseCase("no-leaf");
    noLeaf.remove("leaf");
    ObjectNode badTime = baseCase("bad-time").put("at", "yesterday");

    run("{not json\n" + noLeaf + "\n" + badTime + "\n" + baseCase("fine") + "\n", "cert", "verify", "--batch");

    List<JsonNode> v = verdicts();
    assertThat(v).hasSize(4);
    assertThat(v.get(0).get("result").asText()).isEqualTo("error");
    assertThat(v.get(0).get("id").isNull()).isTrue();
    assertThat(v.get(0).get("reason").asText()).startsWith("line 1: not JSON");
    assertThat(v.get(1).get("result").asText()).isEqualTo("error");
    assertThat(v.get(1).get("reason").asText()).isEqualTo("line 2 (id no-leaf): field 'leaf' is missing");
    assertThat(v.get(2).get("reason").asText())
        .isEqualTo("line 3 (id bad-time): field 'at' is not an ISO-8601 time: yesterday");
    assertThat(v.get(3).get("result").asText()).isEqualTo("valid");
  }

  @Test
  void verifiesAtTheGivenTime() throws Exception {
    ObjectNode later = baseCase("later").put("at", "2099-01-01T00:00:00Z");

    run(later + "\n", "cert", "verify", "--batch");

    JsonNode v = verdicts().get(0);
    assertThat(v.get("result").asText()).isEqualTo("invalid");
    assertThat(v.get("failure").asText()).isEqualTo("expired");
  }

  @Test
  void refusesFileArgumentsTogetherWithBatch() {
    int code = run("", "cert", "verify", "--batch", "--bundle", "roots.pem");

    assertThat(code).isEqualTo(Main.BAD_INPUT);
    assertThat(err.toString()).contains("--batch takes every setting from its input lines");
  }

  @Test
  void withoutBatchTheBundleIsStillRequired() {
    int code = run("", "cert", "verify", "chain.pem");

    assertThat(code).isEqualTo(Main.BAD_INPUT);
    assertThat(err.toString().trim()).isEqualTo("trustmesh: --bundle FILE is required (or use --batch)");
  }
}

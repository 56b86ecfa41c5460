package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 9 item 7, as found: {@code --allow-id-prefix spiffe://example.org/ns/prod} admitted
 * {@code spiffe://example.org/ns/production/sa/x}, and {@code spiffe://example.org} admitted
 * {@code spiffe://example.org.evil.com/...} (a federated trust domain whose CA is trusted for its own
 * IDs). Each matcher is tried with a real client through a running sidecar, accept and reject:
 * the {@code --allow-id-prefix} rule, the YAML {@code allow.id_prefixes} rule and the outbound
 * {@code expect-trust-domain}.
 */
class IdPrefixMatchingTest {
  static Pki org;
  static Pki evil;
  @TempDir static Path certs;

  @TempDir Path tmp;
  HttpServer backend;
  Sidecar sidecar;
  Path accessLog;

  @BeforeAll
  static void pki() throws Exception {
    org = Pki.create("example.org");
    evil = Pki.create("example.org.evil.com");
    org.writeForTools(org.svid(org.id("ns", "prod", "sa", "backend"), "localhost"), certs.resolve("server"));
    org.writeForTools(org.svid(org.id("ns", "prod", "sa", "web")), certs.resolve("prod-web"));
    org.writeForTools(org.svid(org.id("ns", "prod")), certs.resolve("prod-itself"));
    org.writeForTools(org.svid(org.id("ns", "production", "sa", "x")), certs.resolve("production-x"));
    evil.writeForTools(evil.svid(evil.id("ns", "prod", "sa", "web"), "localhost"), certs.resolve("evil"));
  }

  @BeforeEach
  void start() throws Exception {
    backend = Peers.backend();
    accessLog = tmp.resolve("access.log");
  }

  @AfterEach
  void stop() {
    if (sidecar != null) {
      sidecar.close();
    }
    Peers.stop(backend);
  }

  /** The sidecar trusts both trust domains (federation), so only the allow rule can refuse evil's IDs. */
  private FixedX509Source federated() {
    return new FixedX509Source(org.svid(org.id("ns", "prod", "sa", "backend"), "localhost"), X509BundleSet.of(
        new X509Bundle(org.td, List.of(org.root)), new X509Bundle(evil.td, List.of(evil.root))));
  }

  private void startInbound(AllowPolicy allow) {
    InboundListener web = TestSidecars.inbound("web", backend.getAddress(), InboundMode.STRICT, allow);
    sidecar = Sidecar.start(TestSidecars.config(List.of(web), List.of(), accessLog, Limits.DEFAULT), federated(),
        java.time.Clock.systemUTC());
  }

  private Peers.Result curlAs(String client) throws Exception {
    List<String> args = new ArrayList<>(Peers.clientCert(certs.resolve(client)));
    return Peers.curlTls(sidecar.address("web").getPort(), certs.resolve("server"), args.toArray(String[]::new));
  }

  private JsonNode lastLogLine(int count) {
    await().atMost(Duration.ofSeconds(10)).until(() -> AccessLogFile.read(accessLog).size() == count);
    return AccessLogFile.read(accessLog).get(count - 1);
  }

  @Test
  void pathPrefixAdmitsItsOwnSegmentsAndNotALongerSegment() throws Exception {
    startInbound(AllowPolicy.builder().idPrefix("spiffe://example.org/ns/prod").build());

    assertThat(curlAs("prod-web").stdout()).isEqualTo("hello from backend\n");
    assertThat(curlAs("prod-itself").stdout()).isEqualTo("hello from backend\n");
    Peers.Result refused = curlAs("production-x");

    assertThat(refused.stdout()).doesNotContain("hello from backend");
    JsonNode e = lastLogLine(3);
    assertThat(e.get("result").asText()).isEqualTo("denied");
    assertThat(e.get("peer_spiffe_id").asText()).isEqualTo("spiffe://example.org/ns/production/sa/x");
    assertThat(e.get("detail").asText()).contains("matches none of the allow rules [id-prefix=spiffe://example.org/ns/prod]");
  }

  @Test
  void trustDomainPrefixDoesNotAdmitALongerTrustDomain() throws Exception {
    startInbound(AllowPolicy.builder().idPrefix("spiffe://example.org").build());

    assertThat(curlAs("prod-web").stdout()).isEqualTo("hello from backend\n");
    Peers.Result refused = curlAs("evil");

    assertThat(refused.stdout()).doesNotContain("hello from backend");
    JsonNode e = lastLogLine(2);
    assertThat(e.get("result").asText()).isEqualTo("denied");
    assertThat(e.get("peer_spiffe_id").asText()).isEqualTo("spiffe://example.org.evil.com/ns/prod/sa/web");
  }

  @Test
  void yamlIdPrefixesMatchWholeSegments() throws Exception {
    Path yaml = tmp.resolve("sidecar.yaml");
    Files.writeString(yaml, """
        inbound:
          - name: web
            listen: 127.0.0.1:0
            target: %s
            mode: strict
            allow:
              id_prefixes: [ "spiffe://example.org/ns/prod/" ]
        """.formatted("127.0.0.1:" + backend.getAddress().getPort()));
    AllowPolicy allow = SidecarFile.load(yaml).config().inbound().get(0).allow();
    startInbound(allow);

    assertThat(curlAs("prod-web").stdout()).isEqualTo("hello from backend\n");
    assertThat(curlAs("production-x").stdout()).doesNotContain("hello from backend");
    assertThat(lastLogLine(2).get("result").asText()).isEqualTo("denied");
  }

  @Test
  void outboundExpectedTrustDomainAdmitsItsOwnServerAndNotALongerTrustDomain() throws Exception {
    try (OpensslServer good = OpensslServer.start(certs.resolve("server"), tmp);
        OpensslServer bad = OpensslServer.start(certs.resolve("evil"), tmp)) {
      TrustDomain expect = TrustDomain.parse("example.org");
      OutboundListener toGood = new OutboundListener("good", TestSidecars.any(), "127.0.0.1", good.port(),
          OutboundTls.MUTUAL, Optional.empty(), Optional.of(expect), Optional.empty(), List.of());
      OutboundListener toBad = new OutboundListener("bad", TestSidecars.any(), "127.0.0.1", bad.port(),
          OutboundTls.MUTUAL, Optional.empty(), Optional.of(expect), Optional.empty(), List.of());
      sidecar = Sidecar.start(TestSidecars.config(List.of(), List.of(toGood, toBad), accessLog, Limits.DEFAULT),
          federated(), java.time.Clock.systemUTC());

      assertThat(Peers.curlPlain(sidecar.address("good").getPort()).stdout()).contains("s_server -accept");
      assertThat(Peers.curlPlain(sidecar.address("bad").getPort()).stdout()).doesNotContain("s_server");
      JsonNode e = lastLogLine(2);
      assertThat(e.get("result").asText()).isEqualTo("denied");
      assertThat(e.get("detail").asText()).contains("Trust domain mismatch: got example.org.evil.com");
    }
  }

  @ParameterizedTest(name = "{0} admits {1}: {2}")
  @CsvSource({
      "spiffe://example.org/ns/prod,     spiffe://example.org/ns/prod/sa/web,        true",
      "spiffe://example.org/ns/prod/,    spiffe://example.org/ns/prod/sa/web,        true",
      "spiffe://example.org/ns/prod,     spiffe://example.org/ns/prod,               true",
      "spiffe://example.org/ns/prod,     spiffe://example.org/ns/production/sa/x,    false",
      "spiffe://example.org/ns/prod/,    spiffe://example.org/ns/production/sa/x,    false",
      "spiffe://example.org/ns/prod,     spiffe://example.org/ns,                    false",
      "spiffe://example.org,             spiffe://example.org/anything,              true",
      "spiffe://example.org/,            spiffe://example.org/anything,              true",
      "spiffe://example.org,             spiffe://example.org.evil.com/ns/prod,      false",
      "spiffe://example.org,             spiffe://example.orgx/ns/prod,              false",
      "spiffe://example.org/ns/prod,     spiffe://example.org.evil.com/ns/prod/sa/x, false",
  })
  void allowPolicyMatchesWholeSegments(String prefix, String peer, boolean admitted) {
    AllowPolicy p = AllowPolicy.builder().idPrefix(prefix).build();
    assertThat(p.refuse(SpiffeId.parse(peer)) == null).isEqualTo(admitted);
  }

  @Test
  void aPrefixThatIsNotASpiffeIdIsNamed() {
    assertThatThrownBy(() -> AllowPolicy.builder().idPrefix("example.org/ns/prod"))
        .isInstanceOf(BadInputException.class).hasMessageContaining("example.org/ns/prod");
    assertThatThrownBy(() -> AllowPolicy.builder().idPrefix("spiffe://example.org/ns//prod"))
        .isInstanceOf(BadInputException.class).hasMessageContaining("spiffe://example.org/ns//prod");
  }
}

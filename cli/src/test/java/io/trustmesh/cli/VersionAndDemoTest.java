package io.trustmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VersionAndDemoTest {
  @TempDir Path tmp;

  @Test
  void versionNamesTheProviderAndWhyTheFastOneIsMissing() throws Exception {
    Cli.Result r = Cli.run("version", "--output", "json");
    assertThat(r.exitCode()).isZero();
    JsonNode n = new ObjectMapper().readTree(r.out());
    assertThat(n.get("version").asText()).isNotBlank().isNotEqualTo("unknown");
    boolean linuxX64 = System.getProperty("os.name").toLowerCase().contains("linux")
        && System.getProperty("os.arch").equals("amd64");
    if (linuxX64) {
      assertThat(n.get("crypto_provider").asText()).as(r.out()).isEqualTo("accp");
      assertThat(n.get("crypto_provider_fallback_reason").isNull()).isTrue();
    } else {
      assertThat(n.get("crypto_provider").asText()).isEqualTo("jdk");
      assertThat(n.get("crypto_provider_fallback_reason").asText()).isNotBlank();
    }
    assertThat(Cli.run("version").out()).startsWith("trustmesh ").contains("crypto provider:");
  }

  @Test
  void demoCarriesACallOverMutualTlsBetweenTwoSidecars() throws Exception {
    Cli.Result r = Cli.run("demo", "--dir", tmp, "--output", "json");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode n = new ObjectMapper().readTree(r.out());
    assertThat(n.get("protocol").asText()).isEqualTo("TLSv1.3");
    assertThat(n.get("cipher_suite").asText()).startsWith("TLS_");
    assertThat(n.get("client").get("spiffe_id").asText()).isEqualTo("spiffe://demo.trustmesh/ns/demo/sa/frontend");
    assertThat(n.get("server").get("spiffe_id").asText()).isEqualTo("spiffe://demo.trustmesh/ns/demo/sa/backend");
    assertThat(n.get("server").get("response").asText()).isEqualTo("frontend got \"hello from backend\"");
    assertThat(n.get("client").get("verified_peer_chain")).hasSize(3);
    assertThat(n.get("server").get("verified_peer_chain")).hasSize(3);
    assertThat(n.get("client").get("seconds_left").asLong()).isBetween(3500L, 3600L);
    Path dir = Path.of(n.get("dir").asText());
    assertThat(dir.getParent()).isEqualTo(tmp);
    assertThat(dir.resolve("frontend/svid.pem")).isRegularFile();
    assertThat(dir.resolve("ca/root_key.pem")).isRegularFile();

    Cli.Result again = Cli.run("demo", "--dir", tmp, "--output", "json");
    assertThat(new ObjectMapper().readTree(again.out()).get("dir").asText()).as("a fresh directory every run")
        .isNotEqualTo(dir.toString());
    try (var s = Files.list(tmp)) {
      assertThat(s.count()).isEqualTo(2);
    }
  }
}

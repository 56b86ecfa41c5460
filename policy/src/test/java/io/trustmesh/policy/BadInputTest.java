package io.trustmesh.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.BadInputException;
import io.trustmesh.policy.resolve.AnalysisOptions;
import io.trustmesh.policy.rules.Finding;
import io.trustmesh.policy.source.InputFiles;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Malformed YAML, unknown kinds, unsupported versions, broken HCL: a finding with file and line, never an exception. */
class BadInputTest {
  private static Analysis analyze(String name, String text) {
    return new PolicyAnalyzer(AnalysisOptions.defaults())
        .analyze(List.of(new InputFiles.Input(name, text)), Optional.empty());
  }

  @Test
  void malformedYamlIsOneFindingWithTheLineAndEarlierDocumentsAreKept() {
    String yaml = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: v1\nkind: Service\n"
        + "metadata:\n  name: web\n  labels: {a: [}\n";
    Analysis a = analyze("bad.yaml", yaml);
    Finding f = Fixtures.findings(a, "TM-INPUT-001").get(0);
    assertThat(f.location().file()).isEqualTo("bad.yaml");
    assertThat(f.location().line()).isEqualTo(10);
    assertThat(f.message()).startsWith("malformed YAML");
    assertThat(a.resolution().model().namespaces()).hasSize(1);
  }

  @Test
  void aDuplicateKeyIsAnInputErrorNamingFileLineAndKey() {
    // kubectl (sigs.k8s.io/yaml) refuses this file; reading it as "last one wins" would analyze a
    // policy other than the one a reviewer sees on line 7.
    String yaml = "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n"
        + "  namespace: shop\nspec:\n  mtls:\n    mode: STRICT\n    mode: DISABLE\n";
    assertThatThrownBy(() -> analyze("pa.yaml", yaml))
        .isInstanceOf(BadInputException.class)
        .hasMessage("pa.yaml:9: duplicate key 'mode' in spec.mtls (first at line 8)");
  }

  @Test
  void aDuplicateTopLevelKeyInALaterDocumentIsRefusedToo() {
    String yaml = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Namespace\n"
        + "metadata:\n  name: b\nmetadata:\n  name: c\n";
    assertThatThrownBy(() -> analyze("ns.yaml", yaml))
        .isInstanceOf(BadInputException.class)
        .hasMessage("ns.yaml:10: duplicate key 'metadata' (first at line 8)");
  }

  @Test
  void aDuplicateKeyInTheMeshConfigIsRefused() {
    String yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: istio-system\ndata:\n"
        + "  mesh: |\n    enableAutoMtls: true\n    enableAutoMtls: false\n";
    assertThatThrownBy(() -> analyze("mesh.yaml", yaml))
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("mesh.yaml:7: data.mesh of ConfigMap istio-system/istio: duplicate key 'enableAutoMtls'");
  }

  @Test
  void unknownKindIsInfoWithTheDocumentLine() {
    Analysis a = analyze("x.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n"
        + "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n");
    Finding f = Fixtures.findings(a, "TM-INPUT-002").get(0);
    assertThat(f.location().line()).isEqualTo(6);
    assertThat(f.message()).contains("Widget", "example.com/v1");
  }

  @Test
  void unsupportedApiVersionNamesTheSupportedOnes() {
    Analysis a = analyze("x.yaml", "apiVersion: security.istio.io/v1alpha1\nkind: PeerAuthentication\nmetadata:\n"
        + "  name: default\n  namespace: shop\nspec:\n  mtls:\n    mode: STRICT\n");
    Finding f = Fixtures.findings(a, "TM-INPUT-003").get(0);
    assertThat(f.message()).contains("security.istio.io/v1alpha1", "supported: v1, v1beta1");
    assertThat(f.location().line()).isEqualTo(1);
    assertThat(a.resolution().model().peerAuthentications()).isEmpty();
  }

  @Test
  void invalidModePointsAtTheField() {
    Analysis a = analyze("x.yaml", "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n"
        + "  name: default\n  namespace: shop\nspec:\n  mtls:\n    mode: STRICTER\n");
    Finding f = Fixtures.findings(a, "TM-INPUT-004").get(0);
    assertThat(f.location().line()).isEqualTo(8);
    assertThat(f.message()).contains("'STRICTER'");
  }

  @Test
  void brokenHclIsOneFinding() {
    Analysis a = Fixtures.analyzeResources(AnalysisOptions.defaults(), "rules/TM-INPUT-001-hcl");
    Finding f = Fixtures.findings(a, "TM-INPUT-001").get(0);
    assertThat(f.location().file()).endsWith("server.conf");
    assertThat(f.message()).isEqualTo("malformed HCL: 'ca_ttl =' has no value");
    assertThat(f.location().line()).isEqualTo(3);
  }

  @Test
  void unclosedHclBlockNamesTheLineItOpens() {
    // hcl4j alone accepts this and returns a flattened map: the structural check catches it.
    Analysis a = analyze("server.conf", "server {\n  trust_domain = \"example.org\"\n}\nplugins {\n  KeyManager \"disk\" {\n}\n");
    assertThat(Fixtures.findings(a, "TM-INPUT-001")).singleElement().satisfies(f -> {
      assertThat(f.message()).isEqualTo("malformed HCL: '{' is never closed");
      assertThat(f.location().line()).isEqualTo(4);
    });
  }

  @Test
  void hclFunctionsCannotReadOtherFilesIntoTheReport(@TempDir Path dir) throws Exception {
    Path secret = dir.resolve("secret.txt");
    Files.writeString(secret, "s3cr3t-value");
    String conf = "server {\n  trust_domain = file(\"" + secret + "\")\n  ca_ttl = \"168h\"\n}\n";
    Analysis a = new PolicyAnalyzer(AnalysisOptions.defaults()).analyze(List.of(
        new InputFiles.Input("a/server.conf", conf), new InputFiles.Input("b/server.conf", conf)), Optional.empty());
    assertThat(a.resolution().model().spireConfigs()).isEmpty();
    assertThat(a.findings()).extracting(Finding::message)
        .containsOnly("malformed HCL: function calls are not SPIRE configuration")
        .noneMatch(m -> m.contains("s3cr3t"));
    assertThat(a.findings()).allSatisfy(f -> assertThat(f.location().line()).isEqualTo(2));
  }

  @Test
  void hclDataBlocksAreRefusedBeforeHcl4jWouldFetchThem() {
    Analysis a = analyze("server.conf", "data \"http\" \"x\" {\n  url = \"http://127.0.0.1:9/x\"\n}\n"
        + "server {\n  trust_domain = \"example.org\"\n}\n");
    assertThat(Fixtures.findings(a, "TM-INPUT-001")).singleElement().satisfies(f -> {
      assertThat(f.message()).isEqualTo("malformed HCL: data blocks are not SPIRE configuration");
      assertThat(f.location().line()).isEqualTo(1);
    });
  }

  @Test
  void hclWithoutServerOrAgentBlockIsReported() {
    Analysis a = analyze("other.hcl", "resource \"x\" \"y\" {\n  a = 1\n}\n");
    assertThat(Fixtures.findings(a, "TM-INPUT-001")).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("not a SPIRE configuration"));
  }

  @Test
  void scalarDocumentsAndDocumentsWithoutKindAreReported() {
    Analysis a = analyze("x.yaml", "just a string\n---\nmetadata:\n  name: x\n");
    assertThat(Fixtures.findings(a, "TM-INPUT-001")).hasSize(2);
  }

  @Test
  void kubernetesListIsExpandedWithItemLines() {
    Analysis a = analyze("list.yaml", "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Namespace\n"
        + "    metadata:\n      name: a\n  - apiVersion: v1\n    kind: Namespace\n    metadata:\n      name: b\n");
    assertThat(a.resolution().model().namespaces()).extracting(n -> n.name() + "@" + n.ref().location().line())
        .containsExactly("a@4", "b@8");
  }

  @Test
  void directoriesAreReadRecursivelyAndStdinAsDash(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("a/b"));
    Files.writeString(dir.resolve("a/b/ns.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: deep\n");
    Files.writeString(dir.resolve("a/notes.txt"), "not read");
    InputFiles files = new InputFiles(new ByteArrayInputStream(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: piped\n".getBytes(StandardCharsets.UTF_8)));
    List<InputFiles.Input> inputs = files.expand(List.of(dir.toString(), "-"));
    assertThat(inputs).extracting(InputFiles.Input::name).containsExactly(dir.resolve("a/b/ns.yaml").toString(), "-");
    Analysis a = new PolicyAnalyzer(AnalysisOptions.defaults()).analyze(inputs, Optional.empty());
    assertThat(a.resolution().model().namespaces()).extracting(n -> n.name() + " " + n.ref().location())
        .containsExactly("deep " + dir.resolve("a/b/ns.yaml") + ":1", "piped -:1");
  }

  @Test
  void aliasBombDoesNotExpand() {
    // Jackson's YAML parser does not expand aliases, so a "billion laughs" document stays small.
    StringBuilder yaml = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  a: &a [\"lol\"]\n");
    String prev = "a";
    for (int i = 0; i < 60; i++) {
      String name = "b" + i;
      yaml.append("  ").append(name).append(": &").append(name).append(" [*").append(prev).append(", *").append(prev)
          .append("]\n");
      prev = name;
    }
    Analysis a = analyze("bomb.yaml", yaml.toString());
    assertThat(a.findings()).isEmpty();
    assertThat(a.resolution().model().problems()).isEmpty();
  }

  @Test
  void largeInputsAreRead() {
    StringBuilder yaml = new StringBuilder();
    for (int i = 0; yaml.length() < 4 * 1024 * 1024; i++) {
      yaml.append("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-").append(i)
          .append("\n  annotations:\n    note: \"").append("x".repeat(200)).append("\"\n---\n");
    }
    Analysis a = analyze("big.yaml", yaml.toString());
    assertThat(a.findings()).isEmpty();
    assertThat(a.resolution().model().namespaces().size()).isGreaterThan(10_000);
  }

  @Test
  void missingPathIsAUsageError() {
    assertThatThrownBy(() -> new InputFiles(System.in).expand(List.of("/nonexistent/k8s")))
        .isInstanceOf(BadInputException.class).hasMessage("no such file or directory: /nonexistent/k8s");
  }

  /** Garbage gives findings, or one input error naming file and line (a repeated key); nothing else escapes. */
  @ParameterizedTest(name = "garbage seed {0} never crashes")
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void garbageNeverThrows(int seed) throws Exception {
    String base = Files.readString(Fixtures.resource("seed/peer-authentication.yaml"))
        + Files.readString(Fixtures.resource("seed/workloads.yaml"));
    Random random = new Random(seed);
    StringBuilder sb = new StringBuilder(base);
    for (int i = 0; i < 20; i++) {
      int at = random.nextInt(sb.length());
      String junk = "{}[]:-'\"\t&*!|>%@`#\n";
      sb.insert(at, junk.charAt(random.nextInt(junk.length())));
    }
    try {
      assertThat(analyze("garbage.yaml", sb.toString()).findings()).isNotNull();
    } catch (BadInputException e) {
      assertThat(e.getMessage()).matches("garbage\\.yaml:[0-9]+: duplicate key .*");
    }
    assertThat(analyze("garbage.conf", sb.toString()).findings()).isNotNull();
  }
}

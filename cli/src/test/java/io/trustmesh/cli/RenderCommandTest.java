package io.trustmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** trustmesh render as a user runs it: output, files, and mesh-file errors with line and field, exit 2. */
class RenderCommandTest {
  static final String QUICKSTART = Path.of(System.getProperty("user.dir"))
      .resolveSibling("examples/quickstart/trustmesh.yaml").toString();
  static final String HEAD = "apiVersion: trustmesh.io/v1alpha1\nkind: Mesh\ntrustDomain: example.org\nservices:\n  - name: a\n";

  static Stream<Arguments> badMeshFiles() {
    return Stream.of(
        Arguments.of("unknown field", HEAD + "    colour: blue\n", ":6: services[0].colour: unknown field"),
        Arguments.of("bad mode", HEAD + "    mode: STRIKT\n",
            ":6: services[0].mode: \"STRIKT\" is not one of STRICT, PERMISSIVE, DISABLE"),
        Arguments.of("bad SPIFFE ID", HEAD + "    spiffeId: spiffe://example.org/a/../b\n", ":6: services[0].spiffeId: not a SPIFFE ID"),
        Arguments.of("a port overridden twice", HEAD + "    ports:\n      - {port: 80, mode: STRICT}\n      - {port: 80, mode: DISABLE}\n",
            ":8: services[0].ports[1].port: port 80 is declared twice (first at line 7)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badMeshFiles")
  void badMeshFileExitsTwoWithLineAndField(String name, String yaml, String message, @TempDir Path dir) throws Exception {
    Path f = dir.resolve("trustmesh.yaml");
    Files.writeString(f, yaml);
    Cli.Result r = Cli.run("render", "--target", "istio", f);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).contains(f + message).doesNotContain("Exception", "\tat ");
  }

  @Test
  void rendersTheQuickstartToStdout() {
    Cli.Result r = Cli.run("render", "--target", "istio", QUICKSTART);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(0);
    assertThat(r.out()).startsWith("---\n# from trustmesh.yaml:").contains("kind: PeerAuthentication", "mode: DISABLE",
        "kind: AuthorizationPolicy", "quickstart.trustmesh.local/ns/shop/sa/web");
    assertThat(Cli.run("render", "--target", "istio", QUICKSTART).out()).isEqualTo(r.out());
  }

  @Test
  void writesSpireFilesIntoTheOutputDirectory(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("spire");
    Cli.Result r = Cli.run("render", "--target", "spire", QUICKSTART, "--output-dir", out);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(0);
    assertThat(out.resolve("server.conf")).content().contains("trust_domain = \"quickstart.trustmesh.local\"");
    assertThat(out.resolve("agent.conf")).exists();
    assertThat(out.resolve("cluster-spiffe-ids.yaml")).content().contains("kind: ClusterSPIFFEID");
  }

  @Test
  void unknownTargetAndMissingFileAreUsageErrors(@TempDir Path dir) {
    Cli.Result r = Cli.run("render", "--target", "consul", QUICKSTART);
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("unknown render target 'consul'", "istio, linkerd, cert-manager, spire, kubernetes");
    Cli.Result missing = Cli.run("render", "--target", "istio", dir.resolve("nope.yaml"));
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("mesh file not found");
  }

  @Test
  void helpTeachesByExample() {
    Cli.Result r = Cli.run("render", "--help");
    assertThat(r.exitCode()).isEqualTo(0);
    assertThat(r.out()).contains("trustmesh render --target istio examples/quickstart/trustmesh.yaml", "--output-dir");
  }
}

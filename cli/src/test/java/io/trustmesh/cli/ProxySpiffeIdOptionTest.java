package io.trustmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code --spiffe-id} (and {@code identity.spiffe_id}) picks one of the agent's SVIDs: a bad ID, or
 * one given without a Workload API to pick from, is one line and exit 2 before anything listens.
 */
class ProxySpiffeIdOptionTest {
  @TempDir static Path tmp;

  static Stream<Arguments> refused() throws Exception {
    Files.createDirectories(tmp.resolve("svid"));
    Path badId = yaml("bad-id.yaml", "identity:\n  workload_api: unix:///nowhere.sock\n  spiffe_id: spiffe://Example.org/web\n"
        + "inbound:\n  - listen: 127.0.0.1:0\n    target: 127.0.0.1:1\n    mode: disable\n");
    Path noApi = yaml("no-api.yaml", "identity:\n  svid_dir: svid\n  spiffe_id: spiffe://example.org/web\n"
        + "inbound:\n  - listen: 127.0.0.1:0\n    target: 127.0.0.1:1\n    mode: disable\n");
    return Stream.of(
        Arguments.of("spiffe://example.org/a/../b", new Object[] {"proxy", "inbound", "--listen", "127.0.0.1:0",
            "--target", "127.0.0.1:1", "--workload-api", "unix:///nowhere.sock", "--spiffe-id",
            "spiffe://example.org/a/../b", "--allow-id", "spiffe://example.org/x"}),
        Arguments.of("--spiffe-id spiffe://example.org/web picks one of the agent's SVIDs: give --workload-api too",
            new Object[] {"proxy", "inbound", "--listen", "127.0.0.1:0", "--target", "127.0.0.1:1", "--svid-dir",
                tmp.resolve("svid"), "--spiffe-id", "spiffe://example.org/web", "--allow-id", "spiffe://example.org/x"}),
        Arguments.of("give --workload-api too", new Object[] {"proxy", "inbound", "--listen", "127.0.0.1:0",
            "--target", "127.0.0.1:1", "--mode", "disable", "--spiffe-id", "spiffe://example.org/web"}),
        Arguments.of("'http://example.org/web'", new Object[] {"proxy", "outbound", "--listen", "127.0.0.1:0",
            "--target", "127.0.0.1:1", "--workload-api", "unix:///nowhere.sock", "--spiffe-id", "http://example.org/web",
            "--expect-id", "spiffe://example.org/x"}),
        Arguments.of("give --workload-api too", new Object[] {"proxy", "outbound", "--listen", "127.0.0.1:0",
            "--target", "127.0.0.1:1", "--tls", "disable", "--spiffe-id", "spiffe://example.org/web"}),
        Arguments.of("identity.spiffe_id", new Object[] {"proxy", "run", "--config", badId, "--check"}),
        Arguments.of("identity.spiffe_id: picks one of the agent's SVIDs: give workload_api too",
            new Object[] {"proxy", "run", "--config", noApi, "--check"}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refusedWithOneLine(String expected, Object[] args) {
    Cli.Result r = Cli.run(args);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines()).as(r.toString()).hasSize(1);
    assertThat(r.err()).contains(expected).doesNotContain("Exception");
  }

  private static Path yaml(String name, String text) throws Exception {
    Path p = tmp.resolve(name);
    Files.writeString(p, text);
    return p;
  }
}

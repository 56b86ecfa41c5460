package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The control-plane commands as a user runs them: the fat jar, exit codes, one-line errors, --help. */
class CliControlPlaneTest {
  @TempDir Path dir;

  record Run(int exit, String out) {}

  static Run trustmesh(String... args) throws Exception {
    Path jar = Path.of(System.getProperty("trustmesh.jar", "../cli/target/trustmesh.jar"));
    List<String> cmd = new ArrayList<>(List.of("java", "-jar", jar.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out);
  }

  @Test
  void serverRefusesAnSvidTtlItsCaScheduleCannotHonour() throws Exception {
    Run r = trustmesh("server", "--trust-domain", "example.org", "--data-dir", dir.toString(),
        "--ca-ttl", "24h", "--svid-ttl", "5h");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out().strip()).isEqualTo("trustmesh: SVID TTL 5h exceeds what a 24h signing CA can honour:"
        + " a signing CA is replaced at 5/6 of its life, so the last SVIDs it signs can live at most 1/6 of it"
        + " (24h / 6 = 4h); lower the SVID TTL to 4h or raise --ca-ttl to at least 30h");
  }

  @Test
  void commandsWithoutAServerSayWhereTheyLooked() throws Exception {
    Run r = trustmesh("entry", "list", "--admin-socket", dir.resolve("nope.sock").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).contains("admin socket " + dir.resolve("nope.sock") + " does not exist")
        .doesNotContain("Exception");
  }

  @ParameterizedTest
  @ValueSource(strings = {"server", "agent", "token create", "entry create", "entry list", "entry show",
      "entry delete", "bundle show", "agent evict"})
  void everyCommandHasHelpWithAnExample(String command) throws Exception {
    List<String> args = new ArrayList<>(List.of(command.split(" ")));
    args.add("--help");
    Run r = trustmesh(args.toArray(new String[0]));
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Example");
  }
}

package io.trustmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code --resumption[=LIFETIME]} on proxy inbound and outbound: taught by --help, a bad value is one line and exit 2. */
class ProxyResumptionOptionTest {
  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of("--resumption: session lifetime must be between 1s and 1h, got 2h",
            new Object[] {"proxy", "inbound", "--listen", "127.0.0.1:0", "--target", "127.0.0.1:1", "--mode",
                "disable", "--resumption=2h"}),
        Arguments.of("invalid duration 'forever'", new Object[] {"proxy", "outbound", "--listen", "127.0.0.1:0",
            "--target", "127.0.0.1:1", "--tls", "disable", "--resumption=forever"}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void badLifetimeIsOneLineAndExit2(String expected, Object[] args) {
    Cli.Result r = Cli.run(args);
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines()).as(r.toString()).hasSize(1);
    assertThat(r.err()).contains(expected).doesNotContain("Exception");
  }

  @Test
  void helpExplainsItWithAnExample() {
    for (String command : new String[] {"inbound", "outbound"}) {
      Cli.Result r = Cli.run("proxy", command, "--help");
      assertThat(r.exitCode()).isZero();
      assertThat(r.out()).contains("--resumption[=LIFETIME]").contains("Off by default")
          .contains("A resumed session is authorized again");
    }
    assertThat(Cli.run("proxy", "inbound", "--help").out()).contains("--allow-id spiffe://example.org/web --resumption");
    assertThat(Cli.run("proxy", "outbound", "--help").out()).contains("--resumption=10m");
  }
}

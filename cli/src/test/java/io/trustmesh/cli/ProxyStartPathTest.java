package io.trustmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code trustmesh proxy ...} is parsed with a tree that holds only the proxy commands (a
 * sidecar's footprint); what a user sees must not change: help, errors, exit codes, and the rest
 * of the commands from the root.
 */
class ProxyStartPathTest {
  @Test
  void proxyHelpIsTheSameThroughEitherTree() {
    String lean = Cli.run("proxy", "inbound", "--help").out();
    String full = Main.commandLine().getSubcommands().get("proxy").getSubcommands().get("inbound").getUsageMessage();
    assertThat(lean).startsWith("Usage: trustmesh proxy inbound").contains("Example:").isEqualTo(full);
    assertThat(Cli.run("proxy", "--help").out()).isEqualTo(
        Main.commandLine().getSubcommands().get("proxy").getUsageMessage());
  }

  @Test
  void onlyProxyCommandLinesTakeTheSmallTree() {
    assertThat(Main.commandLine(new String[] {"proxy", "inbound"}).getSubcommands()).containsOnlyKeys("proxy");
    assertThat(Main.commandLine(new String[] {"--debug", "proxy"}).getSubcommands()).containsOnlyKeys("proxy");
    assertThat(Main.commandLine(new String[] {"--help", "proxy"}).getSubcommands()).containsKeys("proxy", "ca", "cert");
    assertThat(Main.commandLine(new String[] {"ca", "proxy"}).getSubcommands()).containsKeys("proxy", "ca");
  }

  @Test
  void rootHelpStillListsEveryCommand() {
    Cli.Result r = Cli.run("--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).startsWith("Usage: trustmesh").contains("  proxy ").contains("  ca ").contains("  doctor ")
        .contains("  version ");
  }

  @Test
  void aBadProxyOptionIsOneLineAndExit2WithOrWithoutDebug() {
    Cli.Result r = Cli.run("proxy", "inbound", "--listen", "127.0.0.1:1", "--target", "127.0.0.1:2", "--bogus");
    assertThat(r.exitCode()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).startsWith("trustmesh: Unknown option: '--bogus'")
        .contains("(see 'trustmesh proxy inbound --help')");
    Cli.Result debug = Cli.run("--debug", "proxy", "inbound", "--listen", "127.0.0.1:1", "--target", "127.0.0.1:2",
        "--bogus");
    assertThat(debug.exitCode()).isEqualTo(Main.BAD_INPUT);
    assertThat(debug.err()).contains("UnmatchedArgumentException");
  }

  @Test
  void anUnknownProxyCommandNamesTheProxyHelp() {
    Cli.Result r = Cli.run("proxy", "inbund");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(Main.BAD_INPUT);
    assertThat(r.err()).contains("inbund").contains("(see 'trustmesh proxy --help')");
  }
}

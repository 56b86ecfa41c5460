package io.trustmesh.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code trustmesh} root as a sidecar's start sees it: the same name, standard options and
 * {@code --debug} as {@link TrustmeshCommand}, with {@code proxy} as its only command.
 *
 * <p>picocli instantiates every command class of a tree to parse one command line; for the full
 * tree that is ~100 classes, their options and the domain types they touch, held for the life of
 * the process. A sidecar runs for days next to every workload, so {@link Main} parses {@code
 * trustmesh proxy ...} with this smaller tree. Everything below {@code proxy} (options, help,
 * errors and exit codes) is the same command classes either way; {@code trustmesh --help} and every
 * other command still use {@link TrustmeshCommand}.
 */
@Command(name = "trustmesh", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
    subcommands = ProxyCommand.class)
final class ProxyOnlyRoot implements Runnable {
  @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces with errors.")
  boolean debug;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}

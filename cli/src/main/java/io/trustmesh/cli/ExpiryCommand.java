package io.trustmesh.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "expiry", mixinStandardHelpOptions = true,
    description = {"Watch certificate expiry across files, keystores, Kubernetes manifests and live endpoints."},
    subcommands = {ExpiryScan.class})
final class ExpiryCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}

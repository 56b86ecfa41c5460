package io.trustmesh.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "doctor", mixinStandardHelpOptions = true,
    description = {
      "Say why a mutual TLS connection fails and what to do about it.",
      "Every cause has a stable reason code (the same the sidecar will log); docs/debugging-handshakes.md",
      "lists them with their fixes."
    },
    subcommands = {
      DoctorConnect.class,
      DoctorFiles.class,
    })
final class DoctorCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}

package io.trustmesh.cli;

import io.trustmesh.proxy.SidecarFile;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Run several listeners in one process from a YAML file: inbound ports each with their own mode "
          + "(e.g. 8443 strict for the API, 9090 disable for metrics) and outbound upstreams. "
          + "The format, with every field, is in examples/sidecar.yaml.",
      "",
      "Example:",
      "  trustmesh proxy run --config examples/sidecar.yaml"
    })
final class ProxyRun implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", required = true, paramLabel = "FILE", description = "The sidecar YAML file.")
  Path config;

  @Option(names = "--check", description = "Validate the file, print the listeners and exit.")
  boolean check;

  @Override
  public Integer call() throws Exception {
    SidecarFile f = SidecarFile.load(config);
    SidecarFile.Identity id = f.identity();
    if (check) {
      var out = spec.commandLine().getOut();
      out.println(config + ": " + f.config().inbound().size() + " inbound, " + f.config().outbound().size()
          + " outbound listener(s); OK");
      return Main.OK;
    }
    SidecarRunner.Files files = new SidecarRunner.Files(id.workloadApi(), id.spiffeId(), id.svidDir(), id.cert(), id.key(),
        id.svidDir().isPresent() ? java.util.Optional.empty() : id.caBundle());
    return SidecarRunner.run(f.config(), files, id.reloadInterval(), spec.commandLine().getOut(),
        spec.commandLine().getErr());
  }
}

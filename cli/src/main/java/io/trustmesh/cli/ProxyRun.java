package io.trustmesh.cli;

import io.trustmesh.proxy.SidecarFile;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
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
      "Node shape: one process serving several workloads, each listener presenting its own SVID. Name "
          + "identities under 'identities:' and give a listener 'identity: NAME'; listeners without one present "
          + "the process 'identity:'. An outbound uses its listener's identity as its client certificate.",
      "",
      "Example:",
      "  trustmesh proxy run --config examples/sidecar.yaml",
      "",
      "  identities:",
      "    web: {svid_dir: /run/svids/web}",
      "    api: {svid_dir: /run/svids/api}",
      "  inbound:",
      "    - {name: web, listen: 0.0.0.0:8443, target: 127.0.0.1:8080, identity: web,",
      "       allow: {ids: [spiffe://example.org/frontend]}}",
      "    - {name: api, listen: 0.0.0.0:9443, target: 127.0.0.1:9090, identity: api,",
      "       allow: {ids: [spiffe://example.org/web]}}"
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
          + " outbound listener(s)" + (f.listenerIdentities().isEmpty() ? ""
              : ", " + f.listenerIdentities().size() + " with an identity of their own") + "; OK");
      return Main.OK;
    }
    Map<String, SidecarRunner.Files> listenerFiles = new LinkedHashMap<>();
    f.listenerIdentities().forEach((listener, own) -> listenerFiles.put(listener, files(own)));
    return SidecarRunner.run(f.config(), files(id), listenerFiles, id.reloadInterval(), spec.commandLine().getOut(),
        spec.commandLine().getErr());
  }

  private static SidecarRunner.Files files(SidecarFile.Identity id) {
    return new SidecarRunner.Files(id.workloadApi(), id.spiffeId(), id.svidDir(), id.cert(), id.key(),
        id.svidDir().isPresent() ? Optional.empty() : id.caBundle());
  }
}

package io.trustmesh.cli;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.io.AtomicFiles;
import io.trustmesh.policy.meshfile.MeshFile;
import io.trustmesh.policy.meshfile.MeshFileLoader;
import io.trustmesh.policy.render.MeshRenderer;
import io.trustmesh.policy.render.RenderTarget;
import io.trustmesh.policy.render.RenderedFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "render", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Write a mesh file (trustmesh.yaml, see docs/mesh-file.md) as the configuration of the mesh you",
      "already run. Output is deterministic, one YAML document per object, each with a comment naming",
      "the mesh-file line it came from.",
      "",
      "Targets:",
      "  istio         PeerAuthentications (mesh, namespace, workload with portLevelMtls), DestinationRules,",
      "                AuthorizationPolicies from the allow lists, namespaces and workloads",
      "  linkerd       Servers, MeshTLSAuthentications, AuthorizationPolicies, skip-inbound-ports for DISABLE",
      "  cert-manager  a CA ClusterIssuer and a Certificate per service (SPIFFE URI, duration = SVID TTL)",
      "  spire         server.conf, agent.conf and spire-controller-manager ClusterSPIFFEIDs",
      "  kubernetes    the trustmesh server (StatefulSet, PVC, Service) and agent DaemonSet",
      "",
      "Examples:",
      "  trustmesh render --target istio examples/quickstart/trustmesh.yaml | kubectl apply -f -",
      "  trustmesh render --target istio trustmesh.yaml | trustmesh analyze -      # check what you would apply",
      "  trustmesh render --target spire trustmesh.yaml --output-dir spire/       # server.conf, agent.conf, ...",
      "",
      "Exit codes: 0 rendered, 2 the mesh file is invalid (the message names file, line and field)."
    })
final class RenderCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--target", required = true, paramLabel = "istio|linkerd|cert-manager|spire|kubernetes",
      description = "What to write.")
  String target;

  @Parameters(index = "0", paramLabel = "FILE", description = "The mesh file, e.g. examples/quickstart/trustmesh.yaml.")
  Path file;

  @Option(names = "--output-dir", paramLabel = "DIR",
      description = "Write the files here (e.g. istio.yaml; server.conf and agent.conf for spire) instead of stdout.")
  Path outputDir;

  @Override
  public Integer call() {
    RenderTarget t;
    try {
      t = RenderTarget.of(target);
    } catch (IllegalArgumentException e) {
      throw new BadInputException(e.getMessage());
    }
    MeshFile mesh = MeshFileLoader.load(file);
    List<RenderedFile> files = MeshRenderer.render(mesh, t);
    PrintWriter out = spec.commandLine().getOut();
    if (outputDir == null) {
      for (RenderedFile f : files) {
        if (files.size() > 1) {
          out.println("# ==== " + f.name());
        }
        out.print(f.text());
      }
      out.flush();
      return Main.OK;
    }
    try {
      Files.createDirectories(outputDir);
    } catch (IOException e) {
      throw new BadInputException("cannot create " + outputDir + ": " + e.getMessage());
    }
    Map<Path, AtomicFiles.Content> writes = new LinkedHashMap<>();
    for (RenderedFile f : files) {
      writes.put(outputDir.resolve(f.name()), AtomicFiles.Content.open(f.text().getBytes(StandardCharsets.UTF_8)));
    }
    AtomicFiles.writeAll(writes);
    for (RenderedFile f : files) {
      out.println("wrote " + outputDir.resolve(f.name()));
    }
    out.flush();
    return Main.OK;
  }
}

package io.trustmesh.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.trustmesh.core.BadInputException;
import io.trustmesh.policy.model.MeshModel;
import io.trustmesh.policy.model.Service;
import io.trustmesh.policy.model.ServicePort;
import io.trustmesh.policy.read.ModelReader;
import io.trustmesh.policy.resolve.Dataplane;
import io.trustmesh.policy.resolve.PairOutcome;
import io.trustmesh.policy.resolve.Resolution;
import io.trustmesh.policy.report.TlsCheckReport;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "tls-check", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Answer, offline, what the retired 'istioctl authn tls-check' answered for one service: per port,",
      "the server's effective mode, what a client with a sidecar sends (DestinationRule or auto mTLS),",
      "and whether they agree. STATUS is OK, CONFLICT (with why, below the table) or AUTO.",
      "",
      "Example:",
      "  trustmesh tls-check payment-service.production k8s/",
      "  trustmesh tls-check reviews.default samples/bookinfo --from frontend   # a client in another namespace",
      "",
      "Exit codes: 0 no conflict, 1 a port is in CONFLICT, 2 usage or input error (e.g. unknown service)."
    })
final class TlsCheckCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SERVICE.NAMESPACE", description = "The service to check, e.g. reviews.default.")
  String target;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "PATH", description = "YAML files, directories or -.")
  List<String> paths;

  @Option(names = "--from", paramLabel = "NS",
      description = "Namespace of the client (default: the service's own namespace).")
  String from;

  @Mixin PolicyInputs inputs;

  @Mixin OutputOption output;

  @Override
  public Integer call() {
    int dot = target.lastIndexOf('.');
    if (dot <= 0 || dot == target.length() - 1) {
      throw new BadInputException("expected SERVICE.NAMESPACE, e.g. reviews.default: '" + target + "'");
    }
    String name = target.substring(0, dot);
    String namespace = target.substring(dot + 1);
    MeshModel model = new ModelReader().read(PolicyInputs.read(paths));
    Resolution r = new Resolution(model, inputs.options());
    Service service = model.services().stream()
        .filter(s -> s.name().equals(name) && s.namespace().equals(namespace)).findFirst()
        .orElseThrow(() -> new BadInputException("no Service " + namespace + "/" + name + " in the inputs"));
    String clientNs = from == null ? namespace : from;
    List<PairOutcome> pairs = new ArrayList<>();
    for (ServicePort p : service.ports()) {
      pairs.add(r.tlsPairs().resolve(clientNs, Dataplane.ISTIO_SIDECAR, service, p));
    }
    PrintWriter out = spec.commandLine().getOut();
    if (output.json()) {
      ArrayNode arr = OutputFormat.JSON.createArrayNode();
      for (PairOutcome p : pairs) {
        arr.addObject().put("host", service.hostname(inputs.clusterDomain) + ":" + p.port().port())
            .put("status", p.status().name()).put("server", p.server().name()).put("client", p.client().mode())
            .put("authnPolicy", p.authnPolicy().map(x -> x.ref().shortName()).orElse(null))
            .put("destinationRule", p.client().rule().map(x -> x.ref().shortName()).orElse(null))
            .put("why", p.why());
      }
      OutputFormat.print(out, arr);
    } else {
      out.print(TlsCheckReport.render(pairs, inputs.clusterDomain));
    }
    out.flush();
    return pairs.stream().anyMatch(p -> p.status() == PairOutcome.Status.CONFLICT) ? Main.FAILED : Main.OK;
  }
}

package io.trustmesh.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.admin.proto.EvictAgentResponse;
import io.trustmesh.core.spiffe.SpiffeId;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trustmesh agent evict}: bans a node on the server until it attests again with a new token. */
@Command(name = "evict", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Evict an agent: the server refuses its current SVID (and any copy of it) on the node API at",
      "once, deletes its unused join tokens, and keeps refusing it until it attests again with a new",
      "join token. Workload SVIDs it already handed out stay valid until they expire (short-lived).",
      "",
      "Example:",
      "  trustmesh agent evict --spiffe-id spiffe://example.org/agent/node-1",
      "  trustmesh token create --spiffe-id spiffe://example.org/agent/node-1   # to re-admit it"
    })
final class AgentEvictCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--spiffe-id", required = true, paramLabel = "AGENT_ID", description = "The agent to evict.")
  SpiffeId spiffeId;

  @Mixin AdminSocketOption admin;

  @Mixin OutputOption output;

  @Override
  public Integer call() {
    try (AdminClient client = admin.connect()) {
      EvictAgentResponse r = client.evictAgent(spiffeId.toString());
      PrintWriter out = spec.commandLine().getOut();
      if (output.json()) {
        ObjectNode n = OutputFormat.object();
        n.put("spiffe_id", r.getSpiffeId());
        n.put("refused_serial", r.getSerial());
        n.put("deleted_join_tokens", r.getDeletedJoinTokens());
        OutputFormat.print(out, n);
      } else {
        out.println("Evicted " + r.getSpiffeId()
            + (r.getSerial().isEmpty() ? " (it had not attested)" : "; agent SVID " + r.getSerial() + " is refused")
            + (r.getDeletedJoinTokens() > 0 ? "; deleted " + r.getDeletedJoinTokens() + " unused join token(s)" : "")
            + ". It must attest again with a new join token.");
      }
      return Main.OK;
    }
  }
}

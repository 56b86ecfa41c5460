package io.trustmesh.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.admin.proto.CreateJoinTokenResponse;
import io.trustmesh.core.spiffe.SpiffeId;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "token", mixinStandardHelpOptions = true,
    description = {"One-time join tokens with which an agent attests to the server."},
    subcommands = {TokenCommand.Create.class})
final class TokenCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
      description = {
        "Create a join token and print it. The agent that presents it first (before it expires)",
        "becomes AGENT_ID; the token then stops working. The server stores only its SHA-256, and",
        "deletes it when used or expired.",
        "",
        "Example:",
        "  trustmesh token create --spiffe-id spiffe://example.org/agent/node-1 --ttl 10m"
      })
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--spiffe-id", required = true, paramLabel = "AGENT_ID",
        description = "The SPIFFE ID the attesting agent gets.")
    SpiffeId spiffeId;

    @Option(names = "--ttl", defaultValue = "1h", paramLabel = "D", description = "How long the token is usable"
        + " (default: ${DEFAULT-VALUE}).")
    Duration ttl;

    @Mixin AdminSocketOption admin;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
      try (AdminClient client = admin.connect()) {
        CreateJoinTokenResponse r = client.createJoinToken(spiffeId.toString(), ttl);
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
          ObjectNode n = OutputFormat.object();
          n.put("token", r.getToken());
          n.put("spiffe_id", r.getSpiffeId());
          n.put("expires_at", Instant.ofEpochSecond(r.getExpiresAtEpochSeconds()).toString());
          OutputFormat.print(out, n);
        } else {
          out.println(r.getToken());
        }
        return Main.OK;
      }
    }
  }
}

package io.trustmesh.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.node.proto.Entry;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "entry", mixinStandardHelpOptions = true,
    description = {
      "Registration entries: which SPIFFE ID a workload gets, from which agent, when its",
      "attested selectors (unix:uid, unix:gid, unix:pid, unix:path, unix:sha256) match."
    },
    subcommands = {EntryCommand.Create.class, EntryCommand.ListEntries.class, EntryCommand.Show.class,
        EntryCommand.Delete.class})
final class EntryCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static ObjectNode json(Entry e) {
    ObjectNode n = OutputFormat.object();
    n.put("id", e.getId());
    n.put("spiffe_id", e.getSpiffeId());
    n.put("parent_id", e.getParentId());
    ArrayNode sel = n.putArray("selectors");
    e.getSelectorsList().forEach(sel::add);
    n.put("ttl_seconds", e.getTtlSeconds());
    ArrayNode dns = n.putArray("dns_names");
    e.getDnsNamesList().forEach(dns::add);
    if (!e.getHint().isEmpty()) {
      n.put("hint", e.getHint());
    }
    ArrayNode fed = n.putArray("federates_with");
    e.getFederatesWithList().forEach(fed::add);
    return n;
  }

  static void text(PrintWriter out, Entry e) {
    out.println("Entry ID      : " + e.getId());
    out.println("SPIFFE ID     : " + e.getSpiffeId());
    out.println("Parent ID     : " + e.getParentId());
    out.println("TTL           : " + (e.getTtlSeconds() == 0 ? "server default" : e.getTtlSeconds() + "s"));
    for (String s : e.getSelectorsList()) {
      out.println("Selector      : " + s);
    }
    for (String d : e.getDnsNamesList()) {
      out.println("DNS name      : " + d);
    }
    for (String td : e.getFederatesWithList()) {
      out.println("Federates with: " + td);
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
      description = {
        "Create a registration entry: workloads on agent PARENT_ID matching every --selector get ID.",
        "",
        "Example:",
        "  trustmesh entry create --spiffe-id spiffe://example.org/web \\",
        "      --parent-id spiffe://example.org/agent/node-1 --selector unix:uid:1000 --ttl 1h --dns web.local"
      })
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--spiffe-id", required = true, paramLabel = "ID", description = "The workload's SPIFFE ID.")
    SpiffeId spiffeId;

    @Option(names = "--parent-id", required = true, paramLabel = "AGENT_ID",
        description = "The agent that serves it.")
    SpiffeId parentId;

    @Option(names = "--selector", required = true, paramLabel = "TYPE:KEY:VALUE",
        description = "e.g. unix:uid:1000, unix:gid:100, unix:path:/usr/bin/app, unix:sha256:HEX; repeatable.")
    List<String> selectors = new ArrayList<>();

    @Option(names = "--ttl", paramLabel = "D", description = "SVID lifetime (default: the server's --svid-ttl).")
    Duration ttl;

    @Option(names = "--dns", paramLabel = "NAME", description = "DNS SAN to add; repeatable.")
    List<String> dns = new ArrayList<>();

    @Option(names = "--hint", paramLabel = "TEXT", description = "Tells several SVIDs of a workload apart.")
    String hint;

    @Option(names = "--federates-with", paramLabel = "TD",
        description = "A federated trust domain (see 'trustmesh federation') whose bundle this workload gets; repeatable.")
    List<String> federatesWith = new ArrayList<>();

    @Mixin AdminSocketOption admin;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
      Entry.Builder b = Entry.newBuilder().setSpiffeId(spiffeId.toString()).setParentId(parentId.toString())
          .addAllSelectors(selectors).addAllDnsNames(dns).setTtlSeconds(ttl == null ? 0 : ttl.toSeconds())
          .addAllFederatesWith(federatesWith.stream().map(td -> TrustDomain.parse(td).name()).toList());
      if (hint != null) {
        b.setHint(hint);
      }
      try (AdminClient client = admin.connect()) {
        Entry e = client.createEntry(b.build());
        print(spec.commandLine().getOut(), e, output.format);
        return Main.OK;
      }
    }
  }

  static void print(PrintWriter out, Entry e, OutputFormat output) {
    if (output == OutputFormat.json) {
      OutputFormat.print(out, json(e));
    } else {
      text(out, e);
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = {"List registration entries.", "", "Example:",
          "  trustmesh entry list --parent-id spiffe://example.org/agent/node-1 --output json"})
  static final class ListEntries implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--parent-id", paramLabel = "AGENT_ID", description = "Only entries of this agent.")
    SpiffeId parentId;

    @Option(names = "--spiffe-id", paramLabel = "ID", description = "Only entries for this SPIFFE ID.")
    SpiffeId spiffeId;

    @Mixin AdminSocketOption admin;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
      try (AdminClient client = admin.connect()) {
        List<Entry> entries = client.listEntries(parentId == null ? null : parentId.toString(),
            spiffeId == null ? null : spiffeId.toString());
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
          ArrayNode arr = OutputFormat.JSON.createArrayNode();
          entries.forEach(e -> arr.add(json(e)));
          OutputFormat.print(out, arr);
        } else {
          out.println("Found " + entries.size() + " entr" + (entries.size() == 1 ? "y" : "ies"));
          for (Entry e : entries) {
            out.println();
            text(out, e);
          }
        }
        return Main.OK;
      }
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = {"Show one registration entry.", "", "Example:", "  trustmesh entry show 5c1e... --output json"})
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ENTRY_ID", description = "The entry's ID (from entry create or list).")
    String id;

    @Mixin AdminSocketOption admin;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
      try (AdminClient client = admin.connect()) {
        print(spec.commandLine().getOut(), client.getEntry(id), output.format);
        return Main.OK;
      }
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = {"Delete a registration entry; its agent stops serving that SVID at the next sync.", "",
          "Example:", "  trustmesh entry delete 5c1e..."})
  static final class Delete implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ENTRY_ID", description = "The entry's ID.")
    String id;

    @Mixin AdminSocketOption admin;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
      try (AdminClient client = admin.connect()) {
        Entry e = client.deleteEntry(id);
        if (output.json()) {
          OutputFormat.print(spec.commandLine().getOut(), json(e));
        } else {
          spec.commandLine().getOut().println("Deleted entry " + e.getId() + " (" + e.getSpiffeId() + ")");
        }
        return Main.OK;
      }
    }
  }
}

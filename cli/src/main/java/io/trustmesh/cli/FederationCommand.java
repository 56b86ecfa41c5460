package io.trustmesh.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.admin.proto.Federation;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.spiffe.TrustDomain;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trustmesh federation create|list|show|delete}: relationships with foreign trust domains. */
@Command(name = "federation", mixinStandardHelpOptions = true,
    description = {
      "Federate with foreign trust domains: the server fetches each one's bundle from its SPIFFE bundle",
      "endpoint, keeps the last good one, and hands it to workloads whose entry has --federates-with TD.",
      "Federation never admits anyone by itself: a sidecar still needs --allow-trust-domain or --allow-id.",
      "",
      "Example:",
      "  trustmesh federation create --trust-domain partner.org \\",
      "      --bundle-endpoint-url https://bundles.partner.org:8443 --profile https_spiffe --bundle partner.json"
    },
    subcommands = {FederationCommand.Create.class, FederationCommand.ListFederations.class,
        FederationCommand.Show.class, FederationCommand.Delete.class})
final class FederationCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static void print(PrintWriter out, List<Federation> all, OutputFormat format) {
    if (format == OutputFormat.json) {
      ArrayNode arr = OutputFormat.JSON.createArrayNode();
      all.forEach(f -> arr.add(json(f)));
      OutputFormat.print(out, arr);
      return;
    }
    for (Federation f : all) {
      out.println("Trust domain  : " + f.getTrustDomain());
      out.println("Endpoint URL  : " + f.getBundleEndpointUrl());
      out.println("Profile       : " + f.getProfile());
      if (f.getProfile().equals("https_spiffe")) {
        out.println("Endpoint ID   : " + f.getEndpointSpiffeId());
      }
      out.println("Sequence      : " + (f.getSequence() < 0 ? "none yet" : f.getSequence()));
      out.println("Authorities   : " + f.getX509Authorities());
      out.println("Refreshed at  : " + Instant.ofEpochSecond(f.getRefreshedAtEpochSeconds()));
      out.println("Last error    : " + (f.getLastError().isEmpty() ? "none" : f.getLastError()));
      out.println();
    }
  }

  static ObjectNode json(Federation f) {
    ObjectNode n = OutputFormat.object();
    n.put("trust_domain", f.getTrustDomain());
    n.put("bundle_endpoint_url", f.getBundleEndpointUrl());
    n.put("profile", f.getProfile());
    n.put("endpoint_spiffe_id", f.getEndpointSpiffeId());
    n.put("sequence", f.getSequence());
    n.put("x509_authorities", f.getX509Authorities());
    n.put("refreshed_at_epoch_seconds", f.getRefreshedAtEpochSeconds());
    n.put("last_error", f.getLastError());
    return n;
  }

  @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
      description = {
        "Register a foreign trust domain and its SPIFFE bundle endpoint.",
        "https_spiffe: the endpoint must present --endpoint-spiffe-id (default spiffe://TD/trustmesh/server),",
        "verified against the foreign domain's bundle, so --bundle FILE (its current SPIFFE bundle, e.g. from",
        "'trustmesh bundle show --format spiffe' over there, passed out of band) is required.",
        "https_web: the endpoint has a web-PKI certificate the JVM trusts; --bundle is optional.",
        "",
        "Example:",
        "  trustmesh federation create --trust-domain partner.org \\",
        "      --bundle-endpoint-url https://10.0.0.7:8443 --profile https_spiffe --bundle partner.json"
      })
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--trust-domain", required = true, paramLabel = "TD", description = "e.g. partner.org")
    String trustDomain;

    @Option(names = "--bundle-endpoint-url", required = true, paramLabel = "URL", description = "https://HOST:PORT")
    String url;

    @Option(names = "--profile", required = true, paramLabel = "P", description = "https_spiffe or https_web")
    String profile;

    @Option(names = "--endpoint-spiffe-id", paramLabel = "ID",
        description = "https_spiffe: the endpoint's SPIFFE ID (default spiffe://TD/trustmesh/server).")
    String endpointId;

    @Option(names = "--bundle", paramLabel = "FILE", description = "The foreign domain's SPIFFE bundle (JSON).")
    Path bundle;

    @Mixin AdminSocketOption admin;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
      Federation.Builder b = Federation.newBuilder().setTrustDomain(TrustDomain.parse(trustDomain).name())
          .setBundleEndpointUrl(url).setProfile(profile).setEndpointSpiffeId(endpointId == null ? "" : endpointId);
      if (bundle != null) {
        try {
          b.setInitialBundleJson(Files.readString(bundle, StandardCharsets.UTF_8));
        } catch (IOException e) {
          throw new BadInputException("cannot read --bundle " + bundle + ": " + e.getMessage());
        }
      }
      try (AdminClient client = admin.connect()) {
        print(spec.commandLine().getOut(), List.of(client.createFederation(b.build())), output.format);
        return Main.OK;
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = {"List federation relationships, with each bundle's sequence, age and last error.", "",
          "Example:", "  trustmesh federation list --output json"})
  static final class ListFederations implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin AdminSocketOption admin;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
      try (AdminClient client = admin.connect()) {
        print(spec.commandLine().getOut(), client.listFederations(), output.format);
        return Main.OK;
      }
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = {"Show one federation relationship.", "", "Example:",
          "  trustmesh federation show --trust-domain partner.org"})
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--trust-domain", required = true, paramLabel = "TD")
    String trustDomain;

    @Mixin AdminSocketOption admin;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
      try (AdminClient client = admin.connect()) {
        print(spec.commandLine().getOut(), List.of(client.getFederation(TrustDomain.parse(trustDomain).name())),
            output.format);
        return Main.OK;
      }
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = {"Delete a federation relationship: its bundle stops reaching agents with their next sync,",
          "and sidecars then refuse that domain's peers.", "", "Example:",
          "  trustmesh federation delete --trust-domain partner.org"})
  static final class Delete implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--trust-domain", required = true, paramLabel = "TD")
    String trustDomain;

    @Mixin AdminSocketOption admin;

    @Mixin OutputOption output;

    @Override
    public Integer call() {
      try (AdminClient client = admin.connect()) {
        print(spec.commandLine().getOut(), List.of(client.deleteFederation(TrustDomain.parse(trustDomain).name())),
            output.format);
        return Main.OK;
      }
    }
  }
}

package io.trustmesh.cli;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.proxy.Addresses;
import io.trustmesh.proxy.AllowPolicy;
import io.trustmesh.proxy.InboundListener;
import io.trustmesh.proxy.InboundMode;
import io.trustmesh.proxy.SidecarConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "inbound", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Terminate mutual TLS in front of a local app. Authenticate, then authorize: the client's chain is "
          + "verified against the bundle of its trust domain, then its SPIFFE ID must match an allow rule. "
          + "No allow rule means every client is denied.",
      "",
      "Modes: strict (mTLS only), permissive (mTLS and plaintext on one port, told apart by the first "
          + "byte; TLS clients must still present a certificate), disable (plaintext pass-through).",
      "",
      "Example:",
      "  trustmesh proxy inbound --listen 127.0.0.1:8443 \\",
      "      --target 127.0.0.1:8080 --svid-dir svid \\",
      "      --allow-id spiffe://example.org/ns/prod/sa/frontend \\",
      "      --access-log - --admin 127.0.0.1:15000",
      "",
      "Several services running as one user, each presenting its own SVID from one agent:",
      "  trustmesh proxy inbound --listen 127.0.0.1:8443 --target 127.0.0.1:8080 \\",
      "      --workload-api unix:///run/trustmesh/agent.sock --spiffe-id spiffe://example.org/web \\",
      "      --allow-id spiffe://example.org/ns/prod/sa/frontend",
      "",
      "The app on a unix socket, so that no other local user can reach it behind the sidecar's back:",
      "  trustmesh proxy inbound --listen 0.0.0.0:8443 --target unix:/run/app/app.sock --svid-dir svid \\",
      "      --allow-id spiffe://example.org/ns/prod/sa/frontend",
      "",
      "Between two trustmesh sidecars, resume TLS sessions (both ends need --resumption):",
      "  trustmesh proxy inbound --listen 0.0.0.0:8443 --target 127.0.0.1:8080 \\",
      "      --svid-dir svid --allow-id spiffe://example.org/web --resumption"
    })
final class ProxyInbound implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--listen", required = true, paramLabel = "ADDR:PORT", description = "Where clients connect.")
  String listen;

  @Option(names = "--target", required = true, paramLabel = "ADDR:PORT|unix:PATH",
      description = "The local app: an address, or a unix socket in a directory only you (or root) can write.")
  String target;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  ProxyOptions.Identity identity = new ProxyOptions.Identity();

  @Option(names = "--spiffe-id", paramLabel = "ID", description = ProxyOptions.SPIFFE_ID_HELP)
  SpiffeId spiffeId;

  @Option(names = "--mode", defaultValue = "strict", paramLabel = "MODE",
      description = "strict, permissive or disable (default: ${DEFAULT-VALUE}).")
  String mode;

  @Option(names = "--allow-id", paramLabel = "ID", description = "Allow this SPIFFE ID; repeatable.")
  List<SpiffeId> allowIds = new ArrayList<>();

  @Option(names = "--allow-id-prefix", paramLabel = "PREFIX",
      description = "Allow SPIFFE IDs under PREFIX, matched by whole path segments in its trust domain: spiffe://example.org/ns/prod allows .../ns/prod/sa/web, not .../ns/production; repeatable.")
  List<String> allowPrefixes = new ArrayList<>();

  @Option(names = "--allow-trust-domain", paramLabel = "TD",
      description = "Allow every SPIFFE ID of this trust domain; repeatable.")
  List<TrustDomain> allowTrustDomains = new ArrayList<>();

  @Option(names = "--allow-any-id",
      description = "INSECURE for most uses: allow ANY peer whose chain verifies, whatever its SPIFFE ID.")
  boolean allowAnyId;

  @Mixin Common common = new Common();

  /** Shared options, as a mixin so they appear in this command's help. */
  static final class Common {
    @ArgGroup(exclusive = false, heading = "%nAdmin, logs and limits:%n")
    ProxyOptions.Common options = new ProxyOptions.Common();
  }

  @Override
  public Integer call() throws Exception {
    InboundMode m = InboundMode.parse(mode);
    if (spiffeId != null && identity.workloadApi == null) {
      throw new BadInputException("--spiffe-id " + spiffeId
          + " picks one of the agent's SVIDs: give --workload-api too");
    }
    if (m != InboundMode.DISABLE && identity.svidDir == null && identity.workloadApi == null) {
      throw new BadInputException("--mode " + m.label() + " terminates mTLS: give --svid-dir (or --workload-api)");
    }
    AllowPolicy.Builder allow = AllowPolicy.builder();
    allowIds.forEach(allow::id);
    allowPrefixes.forEach(allow::idPrefix);
    allowTrustDomains.forEach(allow::trustDomain);
    if (allowAnyId) {
      allow.anyId();
    }
    InboundListener l = new InboundListener("inbound", Addresses.parse(listen, "--listen").resolved(),
        Addresses.endpoint(target, "--target"), m, allow.build());
    ProxyOptions.Common c = common.options;
    if (c.reloadInterval.isZero()) {
      throw new BadInputException("--reload-interval must be positive");
    }
    SidecarConfig config = new SidecarConfig(List.of(l), List.of(), c.adminAddress(), c.accessLog(), c.limits(),
        c.resumptionSetting());
    return SidecarRunner.run(config, new SidecarRunner.Files(Optional.ofNullable(identity.workloadApi),
        Optional.ofNullable(spiffeId),
        Optional.ofNullable(identity.svidDir), Optional.empty(),
        Optional.empty(), Optional.empty()), c.reloadInterval, spec.commandLine().getOut(),
        spec.commandLine().getErr());
  }
}

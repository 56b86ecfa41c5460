package io.trustmesh.cli;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.proxy.Addresses;
import io.trustmesh.proxy.OutboundListener;
import io.trustmesh.proxy.OutboundTls;
import io.trustmesh.proxy.SidecarConfig;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "outbound", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Originate TLS for a local app that speaks plaintext, like Istio's DestinationRule modes: "
          + "mutual presents our SVID and checks the server's SPIFFE ID (or its DNS name, for an external "
          + "partner); simple is server-authenticated TLS to an external service; disable is plaintext.",
      "",
      "The listen address must be loopback or a unix socket: whoever connects borrows this workload's",
      "identity. A unix socket (unix:/path) is created 0600 in a directory only you can write, so no other",
      "local user can connect; a loopback port is open to every local user.",
      "",
      "Examples:",
      "  trustmesh proxy outbound --listen 127.0.0.1:15001 \\",
      "      --target 127.0.0.1:9443 --svid-dir svid \\",
      "      --expect-id spiffe://example.org/ns/prod/sa/payments",
      "  trustmesh proxy outbound --listen 127.0.0.1:15002 \\",
      "      --target 127.0.0.1:443 --tls simple \\",
      "      --ca-bundle partner-ca.pem --server-name api.partner.example",
      "  trustmesh proxy outbound --listen unix:$XDG_RUNTIME_DIR/web/api.sock \\",
      "      --target 127.0.0.1:9443 --svid-dir svid --expect-id spiffe://example.org/ns/prod/sa/api",
      "  trustmesh proxy outbound --listen 127.0.0.1:15001 \\",
      "      --target backend.example:8443 --svid-dir svid \\",
      "      --expect-id spiffe://example.org/backend --resumption=10m"
    })
final class ProxyOutbound implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--listen", required = true, paramLabel = "127.0.0.1:PORT|unix:PATH",
      description = "Where the local app connects: a loopback address, or a unix socket (0600, this user only).")
  String listen;

  @Option(names = "--target", required = true, paramLabel = "HOST:PORT", description = "The upstream server.")
  String target;

  @Option(names = "--tls", defaultValue = "mutual", paramLabel = "MODE",
      description = "mutual, simple or disable (default: ${DEFAULT-VALUE}).")
  String tls;

  @Option(names = "--svid-dir", paramLabel = "DIR",
      description = "Directory with svid.pem, svid_key.pem, svid_bundle.pem; reloaded when they change.")
  Path svidDir;

  @Option(names = "--workload-api", paramLabel = "unix:///PATH",
      description = "SPIFFE Workload API socket of a trustmesh agent, e.g. unix:///run/trustmesh/agent.sock"
          + " (the agent's default as root); the identity follows its rotations.")
  String workloadApi;

  @Option(names = "--spiffe-id", paramLabel = "ID", description = ProxyOptions.SPIFFE_ID_HELP)
  SpiffeId spiffeId;

  @Option(names = "--cert", paramLabel = "FILE", description = "Client certificate chain (PEM), with --key.")
  Path cert;

  @Option(names = "--key", paramLabel = "FILE", description = "Client private key (PEM, PKCS#8), with --cert.")
  Path key;

  @Option(names = "--ca-bundle", paramLabel = "FILE",
      description = "Roots to verify the server with (needed with --server-name; else the SVID bundle is used).")
  Path caBundle;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Expect expect;

  static final class Expect {
    @Option(names = "--expect-id", paramLabel = "ID", description = "The server's exact SPIFFE ID.")
    SpiffeId id;

    @Option(names = "--expect-trust-domain", paramLabel = "TD", description = "Any SPIFFE ID in this trust domain.")
    TrustDomain trustDomain;

    @Option(names = "--server-name", paramLabel = "DNS",
        description = "A DNS name in the server's certificate (external partner), verified against --ca-bundle.")
    String serverName;
  }

  @Mixin ProxyInbound.Common common = new ProxyInbound.Common();

  @Override
  public Integer call() throws Exception {
    OutboundTls mode = OutboundTls.parse(tls);
    int sources = (svidDir != null ? 1 : 0) + (cert != null || key != null ? 1 : 0) + (workloadApi != null ? 1 : 0);
    if (sources > 1) {
      throw new BadInputException("give one of --svid-dir, --workload-api or --cert/--key, not several");
    }
    if ((cert == null) != (key == null)) {
      throw new BadInputException("--cert and --key go together");
    }
    if (mode == OutboundTls.MUTUAL && sources == 0) {
      throw new BadInputException("--tls mutual presents an identity: give --svid-dir, --workload-api or --cert/--key");
    }
    if (mode != OutboundTls.DISABLE && expect == null) {
      throw new BadInputException("say how to check the server: --expect-id, --expect-trust-domain or --server-name");
    }
    if (mode == OutboundTls.SIMPLE && svidDir == null && cert == null && caBundle == null) {
      throw new BadInputException("--tls simple needs --ca-bundle to verify the server");
    }
    if (spiffeId != null && workloadApi == null) {
      throw new BadInputException("--spiffe-id " + spiffeId + " picks one of the agent's SVIDs: give --workload-api too");
    }
    List<X509Certificate> ca = caBundle == null ? List.of() : Pem.readCertificates(caBundle);
    Addresses.HostPort t = Addresses.parse(target, "--target");
    Expect e = expect == null ? new Expect() : expect;
    OutboundListener l = new OutboundListener("outbound", Addresses.outboundListen(listen, "--listen"), t.host(), t.port(),
        mode, Optional.ofNullable(e.id), Optional.ofNullable(e.trustDomain), Optional.ofNullable(e.serverName), ca);
    ProxyOptions.Common c = common.options;
    SidecarConfig config = new SidecarConfig(List.of(), List.of(l), c.adminAddress(), c.accessLog(), c.limits(),
        c.resumptionSetting());
    SidecarRunner.Files files = mode == OutboundTls.SIMPLE && sources == 0
        ? SidecarRunner.Files.none()
        : new SidecarRunner.Files(Optional.ofNullable(workloadApi), Optional.ofNullable(spiffeId),
            Optional.ofNullable(svidDir), Optional.ofNullable(cert), Optional.ofNullable(key),
            Optional.ofNullable(caBundle).filter(x -> svidDir == null && workloadApi == null));
    return SidecarRunner.run(config, files, c.reloadInterval, spec.commandLine().getOut(),
        spec.commandLine().getErr());
  }
}

package io.trustmesh.cli;

import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.server.ServerConfig;
import io.trustmesh.server.TrustmeshServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Run the trustmesh CA server: a signing CA it mints and rotates itself (TTL 168h by default,",
      "published at 1/2 of its life, active at 5/6), registration entries, join-token node",
      "attestation, the node API for agents (gRPC over mTLS), the admin API on a unix socket,",
      "an optional SPIFFE bundle endpoint, and /healthz, /ready, /metrics on --admin.",
      "Settings come from --config: a YAML file (keys as the flags with underscores) or SPIRE's",
      "server.conf (HCL: .conf/.hcl, or a 'server { }' block). Flags given on the command line win",
      "over the file. From server.conf: trust_domain, bind_address/bind_port (--listen), data_dir,",
      "ca_ttl, default_x509_svid_ttl (--svid-ttl), ca_key_type ec-p256, socket_path (--admin-socket),",
      "log_level, DataStore \"sql\" (sqlite3 or postgres URI), KeyManager \"disk\"/\"memory\",",
      "NodeAttestor \"join_token\", UpstreamAuthority \"disk\"; anything else is refused with FILE:LINE.",
      "",
      "Files: --data-dir is created 0700 (an existing one must be yours and writable by no one else),",
      "every file in it 0600. Signing keys (DIR/keys) are encrypted at rest only with",
      "--key-passphrase-file; without it they are protected by file permissions only.",
      "",
      "Examples:",
      "  trustmesh server --trust-domain example.org --data-dir /var/lib/trustmesh/server",
      "  trustmesh server --trust-domain example.org --data-dir srv \\",
      "      --upstream-cert trustmesh-ca/intermediates/default/ca.pem \\",
      "      --upstream-key trustmesh-ca/intermediates/default/ca_key.pem --bundle-endpoint 127.0.0.1:8443",
      "  trustmesh server --trust-domain example.org --data-dir srv --key-passphrase-file /etc/trustmesh/keys.pass",
      "  trustmesh server --config /etc/spire/server.conf --data-dir /var/lib/trustmesh/server",
      "  # HA: run the same command on several hosts, one shared PostgreSQL, one shared upstream CA",
      "  trustmesh server --trust-domain example.org --data-dir srv \\",
      "      --datastore postgres://trustmesh:PASSWORD@db.example.org:5432/trustmesh \\",
      "      --upstream disk --upstream-cert intermediate.pem --upstream-key intermediate.key",
      "Then: trustmesh token create --spiffe-id spiffe://example.org/agent/node-1"
    })
final class ServerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "Settings file: server.yaml, or SPIRE's server.conf (HCL); flags win over it.")
  Path config;

  @Option(names = "--trust-domain", paramLabel = "TD", description = "Trust domain, e.g. example.org.")
  TrustDomain trustDomain;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Datastore (SQLite) and CA keys live here.")
  Path dataDir;

  @Option(names = "--listen", paramLabel = "ADDR:PORT", description = "Node API address (default: "
      + ServerConfig.DEFAULT_LISTEN + ").")
  String listen;

  @Option(names = "--upstream", paramLabel = "KIND",
      description = "self-signed (default) or disk (implied by --upstream-cert).")
  String upstream;

  @Option(names = "--upstream-cert", paramLabel = "F",
      description = "Upstream intermediate certificate (from 'trustmesh ca'), path length >= 1.")
  Path upstreamCert;

  @Option(names = "--upstream-key", paramLabel = "F", description = "Its private key.")
  Path upstreamKey;

  @Option(names = "--upstream-bundle", paramLabel = "F",
      description = "Roots to publish with a disk upstream, e.g. trustmesh-ca/root.pem (default: the root at"
          + " the end of --upstream-cert, else root.pem of its 'trustmesh ca' directory; the start is refused"
          + " when neither exists).")
  Path upstreamBundle;

  @Option(names = "--datastore", paramLabel = "SPEC",
      description = "sqlite (default: DIR/datastore.sqlite3) or postgres://user:password@host:port/db; several"
          + " servers may share one PostgreSQL (HA, no leader: see docs/ha.md).")
  String datastore;

  @Option(names = "--key-manager", paramLabel = "KIND",
      description = "disk (default: files in DIR/keys, 0600; encrypted only with --key-passphrase-file)"
          + " or memory (a restart mints a new CA).")
  String keyManager;

  @Option(names = "--key-passphrase-file", paramLabel = "F",
      description = "Encrypt the signing keys in DIR/keys with the passphrase in F (PBKDF2 + AES-256); F must be"
          + " readable by its owner only (chmod 600) and hold at least 12 characters. Without it the keys are"
          + " NOT encrypted: file permissions are their only protection.")
  Path keyPassphraseFile;

  @Option(names = "--ca-ttl", paramLabel = "D", description = "Signing CA lifetime (default: 168h).")
  Duration caTtl;

  @Option(names = "--svid-ttl", paramLabel = "D",
      description = "Default SVID lifetime (default: 1h); at most --ca-ttl / 6.")
  Duration svidTtl;

  @Option(names = "--bundle-endpoint", paramLabel = "ADDR:PORT",
      description = "Serve the SPIFFE bundle over HTTPS here, for federation (default: off).")
  String bundleEndpoint;

  @Option(names = "--bundle-endpoint-profile", paramLabel = "P",
      description = "https_spiffe (default: presents spiffe://TD/trustmesh/server) or https_web (a web-PKI"
          + " certificate: --bundle-endpoint-cert, --bundle-endpoint-key).")
  String bundleEndpointProfile;

  @Option(names = "--bundle-endpoint-cert", paramLabel = "F", description = "https_web: certificate chain (PEM).")
  Path bundleEndpointCert;

  @Option(names = "--bundle-endpoint-key", paramLabel = "F", description = "https_web: its key (PEM, owner-only).")
  Path bundleEndpointKey;

  @Option(names = "--bundle-refresh-hint", paramLabel = "D",
      description = "spiffe_refresh_hint published on the bundle endpoint (default 5m).")
  Duration bundleRefreshHint;

  @Option(names = "--admin", paramLabel = "ADDR:PORT",
      description = "HTTP /healthz, /ready and /metrics (default: " + ServerConfig.DEFAULT_ADMIN + ").")
  String admin;

  @Option(names = "--admin-socket", paramLabel = "PATH",
      description = "Admin API unix socket (default: " + ServerConfig.DEFAULT_ADMIN_SOCKET_HELP
          + "; its directory must be yours or root's and writable by nobody else).")
  Path adminSocket;

  @Override
  public Integer call() throws Exception {
    ServerConfig c = new ServerConfig();
    Optional<String> logLevel = Optional.empty();
    if (config != null && SpireConfigFile.isSpire(config)) {
      SpireConfigFile.Server spire = SpireConfigFile.server(config);
      c = spire.config();
      logLevel = spire.logLevel();
    } else if (config != null) {
      c = ServerConfig.load(config);
    }
    if (trustDomain != null) {
      c.trustDomain = trustDomain;
    }
    if (dataDir != null) {
      c.dataDir = dataDir;
    }
    if (listen != null) {
      c.listen = listen;
    }
    if (upstreamCert != null || upstreamKey != null) {
      c.upstream = "disk";
    }
    if (upstream != null) {
      c.upstream = upstream;
      if (upstream.equals("self-signed")) {
        // The flag wins over a file's disk upstream, and takes its files with it.
        c.upstreamCert = null;
        c.upstreamKey = null;
        c.upstreamBundle = null;
      }
    }
    if (upstreamCert != null) {
      c.upstreamCert = upstreamCert;
    }
    if (upstreamKey != null) {
      c.upstreamKey = upstreamKey;
    }
    if (upstreamBundle != null) {
      c.upstreamBundle = upstreamBundle;
    }
    if (datastore != null) {
      c.datastore = datastore;
    }
    if (keyManager != null) {
      c.keyManager = keyManager;
    }
    if (keyPassphraseFile != null) {
      c.keyPassphraseFile = keyPassphraseFile;
    }
    if (caTtl != null) {
      c.caTtl = caTtl;
    }
    if (svidTtl != null) {
      c.svidTtl = svidTtl;
    }
    if (bundleEndpointProfile != null) {
      c.bundleEndpointProfile = bundleEndpointProfile;
    }
    if (bundleEndpointCert != null) {
      c.bundleEndpointCert = bundleEndpointCert;
    }
    if (bundleEndpointKey != null) {
      c.bundleEndpointKey = bundleEndpointKey;
    }
    if (bundleRefreshHint != null) {
      c.bundleRefreshHint = bundleRefreshHint;
    }
    if (bundleEndpoint != null) {
      c.bundleEndpoint = bundleEndpoint;
    }
    if (admin != null) {
      c.admin = admin;
    }
    if (adminSocket != null) {
      c.adminSocket = adminSocket;
    }
    c.validate();
    Logging.daemon(logLevel);
    // Before starting, so that no signal falls between the start and the handler.
    Termination termination = Termination.install(Thread.currentThread());
    TrustmeshServer server = TrustmeshServer.start(c);
    termination.started();
    spec.commandLine().getErr().println("trustmesh: server for " + c.trustDomain + " listening on "
        + server.nodeAddress().getAddress().getHostAddress() + ":" + server.nodeAddress().getPort()
        + ", admin socket " + c.adminSocket);
    if (c.upstream.equals("self-signed")) {
      spec.commandLine().getErr().println("trustmesh: WARNING: upstream self-signed: this server's root CA was made"
          + " by the server itself and is trusted by nothing else; for production give --upstream-cert and"
          + " --upstream-key (an intermediate from 'trustmesh ca')");
    }
    spec.commandLine().getErr().flush();
    return termination.stopOnSignal(server, spec.commandLine().getErr());
  }
}

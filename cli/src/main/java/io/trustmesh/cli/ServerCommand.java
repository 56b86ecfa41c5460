package io.trustmesh.cli;

import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.server.ServerConfig;
import io.trustmesh.server.TrustmeshServer;
import java.nio.file.Path;
import java.time.Duration;
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
      "Settings come from --config (YAML, keys as the flags with underscores); flags override it.",
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
      "  # HA: run the same command on several hosts, one shared PostgreSQL, one shared upstream CA",
      "  trustmesh server --trust-domain example.org --data-dir srv \\",
      "      --datastore postgres://trustmesh:PASSWORD@db.example.org:5432/trustmesh \\",
      "      --upstream disk --upstream-cert intermediate.pem --upstream-key intermediate.key",
      "Then: trustmesh token create --spiffe-id spiffe://example.org/agent/node-1"
    })
final class ServerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "YAML settings file, e.g. server.yaml.")
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

  @Option(names = "--admin", paramLabel = "ADDR:PORT",
      description = "HTTP /healthz, /ready and /metrics (default: " + ServerConfig.DEFAULT_ADMIN + ").")
  String admin;

  @Option(names = "--admin-socket", paramLabel = "PATH",
      description = "Admin API unix socket (default: " + ServerConfig.DEFAULT_ADMIN_SOCKET_HELP
          + "; its directory must be yours or root's and writable by nobody else).")
  Path adminSocket;

  @Override
  public Integer call() throws Exception {
    ServerConfig c = config == null ? new ServerConfig() : ServerConfig.load(config);
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
    Logging.daemon();
    // Before starting, so that no signal falls between the start and the handler.
    Termination termination = Termination.install(Thread.currentThread());
    TrustmeshServer server = TrustmeshServer.start(c);
    termination.started();
    spec.commandLine().getErr().println("trustmesh: server for " + c.trustDomain + " listening on "
        + server.nodeAddress().getAddress().getHostAddress() + ":" + server.nodeAddress().getPort()
        + ", admin socket " + c.adminSocket);
    spec.commandLine().getErr().flush();
    return termination.stopOnSignal(server, spec.commandLine().getErr());
  }
}

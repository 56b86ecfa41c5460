package io.trustmesh.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.time.Durations;
import io.trustmesh.server.ca.RotationSchedule;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * The server's settings, from a YAML file ({@code --config server.yaml}) overridden by flags.
 * Keys are the flag names with underscores: {@code trust_domain}, {@code data_dir}, {@code listen},
 * {@code upstream}, {@code upstream_cert}, {@code upstream_key}, {@code upstream_bundle},
 * {@code datastore}, {@code key_manager}, {@code key_passphrase_file}, {@code ca_ttl}, {@code svid_ttl}, {@code bundle_endpoint},
 * {@code admin}, {@code admin_socket}.
 *
 * <pre>
 * trust_domain: example.org
 * data_dir: /var/lib/trustmesh/server
 * upstream: disk
 * upstream_cert: trustmesh-ca/intermediates/cluster-1/ca.pem
 * upstream_key: trustmesh-ca/intermediates/cluster-1/ca_key.pem
 * svid_ttl: 1h
 * </pre>
 */
public final class ServerConfig {
  public static final String DEFAULT_LISTEN = "127.0.0.1:8081";
  public static final String DEFAULT_ADMIN = "127.0.0.1:8082";
  /** Where the admin socket goes unless configured: a 0700 directory in this user's runtime directory. */
  public static final String DEFAULT_ADMIN_SOCKET_HELP = AdminClient.DEFAULT_SOCKET_HELP;
  public static final Duration DEFAULT_SVID_TTL = Duration.ofHours(1);
  private static final Set<String> KEYS = Set.of("trust_domain", "data_dir", "listen", "upstream", "upstream_cert",
      "upstream_key", "upstream_bundle", "datastore", "key_manager", "key_passphrase_file", "ca_ttl", "svid_ttl",
      "bundle_endpoint",
      "admin", "admin_socket");

  public TrustDomain trustDomain;
  public Path dataDir;
  public String listen = DEFAULT_LISTEN;
  public String upstream = "self-signed";
  public Path upstreamCert;
  public Path upstreamKey;
  public Path upstreamBundle;
  public String datastore = "sqlite";
  public String keyManager = "disk";
  /**
   * The operator's passphrase for the disk key manager (owner-only file, at least 12 characters);
   * without it signing keys are protected by file permissions only.
   */
  public Path keyPassphraseFile;
  public Duration caTtl = RotationSchedule.DEFAULT_CA_TTL;
  public Duration svidTtl = DEFAULT_SVID_TTL;
  public String bundleEndpoint;
  /**
   * The bundle endpoint's profile: {@code https_spiffe} (the server's own SVID) or {@code https_web}
   * (a web-PKI certificate and key from {@link #bundleEndpointCert} / {@link #bundleEndpointKey}).
   */
  public String bundleEndpointProfile = "https_spiffe";
  public Path bundleEndpointCert;
  public Path bundleEndpointKey;
  /** The {@code spiffe_refresh_hint} this server publishes; federated peers refetch this often. */
  public Duration bundleRefreshHint = Duration.ofMinutes(5);
  public String admin = DEFAULT_ADMIN;
  public Path adminSocket = AdminClient.defaultSocket();
  public Clock clock = Clock.systemUTC();
  /** How often the CA schedule and the server's own SVID are checked. */
  public Duration tick = Duration.ofSeconds(1);

  /** Reads a YAML file; unknown keys are refused, naming the key and the file. */
  public static ServerConfig load(Path file) {
    ServerConfig c = new ServerConfig();
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new BadInputException("config file not found: " + file);
    } catch (IOException e) {
      throw new BadInputException("cannot parse config file " + file + ": "
          + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
    if (root == null || root.isNull()) {
      return c;
    }
    if (!root.isObject()) {
      throw new BadInputException("config file " + file + " must be a mapping of settings");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!KEYS.contains(k)) {
        throw new BadInputException("unknown setting '" + k + "' in " + file + " (known: " + String.join(", ",
            new java.util.TreeSet<>(KEYS)) + ")");
      }
    }
    text(root, "trust_domain").ifPresent(v -> c.trustDomain = TrustDomain.parse(v));
    text(root, "data_dir").ifPresent(v -> c.dataDir = Path.of(v));
    text(root, "listen").ifPresent(v -> c.listen = v);
    text(root, "upstream").ifPresent(v -> c.upstream = v);
    text(root, "upstream_cert").ifPresent(v -> c.upstreamCert = Path.of(v));
    text(root, "upstream_key").ifPresent(v -> c.upstreamKey = Path.of(v));
    text(root, "upstream_bundle").ifPresent(v -> c.upstreamBundle = Path.of(v));
    text(root, "datastore").ifPresent(v -> c.datastore = v);
    text(root, "key_manager").ifPresent(v -> c.keyManager = v);
    text(root, "key_passphrase_file").ifPresent(v -> c.keyPassphraseFile = Path.of(v));
    text(root, "ca_ttl").ifPresent(v -> c.caTtl = Durations.parse(v));
    text(root, "svid_ttl").ifPresent(v -> c.svidTtl = Durations.parse(v));
    text(root, "bundle_endpoint").ifPresent(v -> c.bundleEndpoint = v);
    text(root, "bundle_endpoint_profile").ifPresent(v -> c.bundleEndpointProfile = v);
    text(root, "bundle_endpoint_cert").ifPresent(v -> c.bundleEndpointCert = Path.of(v));
    text(root, "bundle_endpoint_key").ifPresent(v -> c.bundleEndpointKey = Path.of(v));
    text(root, "bundle_refresh_hint").ifPresent(v -> c.bundleRefreshHint = Durations.parse(v));
    text(root, "admin").ifPresent(v -> c.admin = v);
    text(root, "admin_socket").ifPresent(v -> c.adminSocket = Path.of(v));
    return c;
  }

  private static Optional<String> text(JsonNode root, String key) {
    JsonNode n = root.get(key);
    return n == null || n.isNull() ? Optional.empty() : Optional.of(n.asText());
  }

  /** Checks the settings together; the first problem becomes a one-line error. */
  public ServerConfig validate() {
    if (trustDomain == null) {
      throw new BadInputException("a trust domain is required (--trust-domain or trust_domain:)");
    }
    if (dataDir == null) {
      throw new BadInputException("a data directory is required (--data-dir or data_dir:)");
    }
    address(listen, "listen");
    if (admin != null && !admin.isEmpty()) {
      address(admin, "admin");
    }
    if (bundleEndpoint != null) {
      address(bundleEndpoint, "bundle endpoint");
    }
    switch (bundleEndpointProfile) {
      case "https_spiffe" -> {
        if (bundleEndpointCert != null || bundleEndpointKey != null) {
          throw new BadInputException("--bundle-endpoint-cert/--bundle-endpoint-key need --bundle-endpoint-profile https_web");
        }
      }
      case "https_web" -> {
        if (bundleEndpointCert == null || bundleEndpointKey == null) {
          throw new BadInputException("--bundle-endpoint-profile https_web needs --bundle-endpoint-cert and"
              + " --bundle-endpoint-key (a web-PKI certificate chain and its key)");
        }
      }
      default -> throw new BadInputException("unknown bundle endpoint profile '" + bundleEndpointProfile
          + "' (expected https_spiffe or https_web)");
    }
    if (bundleRefreshHint.isNegative() || bundleRefreshHint.isZero()) {
      throw new BadInputException("bundle refresh hint must be positive: " + bundleRefreshHint);
    }
    switch (upstream) {
      case "self-signed" -> {
        if (upstreamCert != null || upstreamKey != null) {
          throw new BadInputException("--upstream-cert/--upstream-key need --upstream disk (not self-signed)");
        }
      }
      case "disk" -> {
        if (upstreamCert == null || upstreamKey == null) {
          throw new BadInputException("--upstream disk needs --upstream-cert F and --upstream-key F");
        }
      }
      default -> throw new BadInputException("unknown upstream '" + upstream + "' (expected self-signed or disk)");
    }
    if (!keyManager.equals("memory") && !keyManager.equals("disk")) {
      throw new BadInputException("unknown key manager '" + keyManager + "' (expected memory or disk)");
    }
    if (keyPassphraseFile != null && !keyManager.equals("disk")) {
      throw new BadInputException("--key-passphrase-file needs --key-manager disk (the " + keyManager
          + " key manager keeps no key files)");
    }
    RotationSchedule.check(caTtl, svidTtl, "SVID TTL");
    return this;
  }

  /** Parses {@code host:port} (IPv6 as {@code [::1]:port}). */
  public static InetSocketAddress address(String hostPort, String what) {
    int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new BadInputException("invalid " + what + " address '" + hostPort + "' (expected ADDR:PORT, e.g. 127.0.0.1:8081)");
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      int port = Integer.parseInt(hostPort.substring(colon + 1));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return new InetSocketAddress(host, port);
    } catch (NumberFormatException e) {
      throw new BadInputException("invalid port in " + what + " address '" + hostPort + "'");
    }
  }
}

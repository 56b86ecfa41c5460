package io.trustmesh.cli;

import io.trustmesh.agent.AgentConfig;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.time.Durations;
import io.trustmesh.policy.model.SpireConfig;
import io.trustmesh.policy.model.SpirePlugin;
import io.trustmesh.policy.read.SpireConfigReader;
import io.trustmesh.policy.source.SourceLocation;
import io.trustmesh.server.ServerConfig;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A SPIRE {@code server.conf} or {@code agent.conf} (HCL) mapped onto trustmesh's own settings, so
 * that {@code trustmesh server --config server.conf} runs a SPIRE deployment's configuration. What
 * trustmesh implements is mapped; everything else is refused with {@code FILE:LINE} naming the key or
 * plugin and what trustmesh supports instead: a setting silently dropped would run a server that is
 * not the one the file describes (another key type, another attestor, another datastore).
 *
 * <p>The parsing (and the refusal of HCL functions and {@code data} blocks, which would read files
 * or fetch URLs while parsing) is the policy module's {@link SpireConfigReader}; this class owns only
 * the mapping, in cli, because the server and agent modules must not depend on policy.
 */
final class SpireConfigFile {
  private static final Pattern SPIRE_BLOCK = Pattern.compile("(?m)^\\s*(server|agent)\\s*\\{");
  private static final Set<String> TOP_LEVEL = Set.of("server", "agent", "plugins");
  private static final Set<String> SERVER_KEYS = Set.of("trust_domain", "bind_address", "bind_port", "data_dir",
      "log_level", "ca_ttl", "default_x509_svid_ttl", "ca_key_type", "socket_path");
  private static final Set<String> AGENT_KEYS = Set.of("trust_domain", "server_address", "server_port", "data_dir",
      "log_level", "socket_path", "trust_bundle_path", "join_token");
  private static final Set<String> LOG_LEVELS = Set.of("DEBUG", "INFO", "WARN", "ERROR");

  /** What an agent.conf says beyond {@link AgentConfig}: the trust domain to hold the server to. */
  record Agent(AgentConfig config, TrustDomain trustDomain, Optional<String> logLevel) {}

  /** A server.conf mapped onto {@link ServerConfig}. */
  record Server(ServerConfig config, Optional<String> logLevel) {}

  private final Path file;
  private final SpireConfig spire;

  private SpireConfigFile(Path file, SpireConfig spire) {
    this.file = file;
    this.spire = spire;
  }

  /** SPIRE's HCL, by extension ({@code .conf}, {@code .hcl}) or, for other names, by its {@code server {} / agent {}} block. */
  static boolean isSpire(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".conf") || name.endsWith(".hcl")) {
      return true;
    }
    if (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json")) {
      return false;
    }
    try {
      return SPIRE_BLOCK.matcher(Files.readString(file, StandardCharsets.UTF_8)).find();
    } catch (IOException e) {
      return false; // the YAML loader reports the unreadable file
    }
  }

  static Server server(Path file) {
    return read(file, SpireConfig.Role.SERVER).toServer();
  }

  static Agent agent(Path file) {
    return read(file, SpireConfig.Role.AGENT).toAgent();
  }

  private static SpireConfigFile read(Path file, SpireConfig.Role expected) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new BadInputException("config file not found: " + file);
    } catch (IOException e) {
      throw new BadInputException("cannot read config file " + file + ": " + e.getMessage());
    }
    SpireConfigReader.Result r = new SpireConfigReader().read(file.toString(), text);
    if (r.config().isEmpty()) {
      var p = r.problems().get(0);
      throw new BadInputException(p.location() + ": " + p.message());
    }
    SpireConfig spire = r.config().get();
    String want = expected == SpireConfig.Role.SERVER ? "server" : "agent";
    if (spire.role() != expected) {
      String have = want.equals("server") ? "agent" : "server";
      throw new BadInputException(spire.location() + ": this is SPIRE's " + have + ".conf; 'trustmesh " + want
          + " --config' reads " + (want.equals("agent") ? "an " : "a ") + want + ".conf ('" + want + " { ... }' block)");
    }
    SpireConfigFile f = new SpireConfigFile(file, spire);
    f.refuseOtherBlocks(text, want);
    return f;
  }

  /** Blocks such as {@code health_checks} or {@code telemetry}: the reader keeps only server/agent and plugins. */
  private void refuseOtherBlocks(String text, String role) {
    String other = role.equals("server") ? "agent" : "server";
    for (TopLevel t : topLevel(text)) {
      if (!TOP_LEVEL.contains(t.name()) || t.name().equals(other)) {
        throw new BadInputException(at(t.line()) + ": '" + t.name() + "' is not supported (trustmesh reads the '"
            + role + "' block and 'plugins'; health and metrics are served on --admin)");
      }
    }
  }

  private record TopLevel(String name, int line) {}

  /**
   * The names at brace depth 0, skipping strings and comments. The text has already passed the
   * reader's syntax check, so this needs no error handling of its own.
   */
  private static List<TopLevel> topLevel(String text) {
    List<TopLevel> found = new ArrayList<>();
    int depth = 0;
    int line = 1;
    boolean lineStart = true;
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch == '\n') {
        line++;
        lineStart = true;
      } else if (ch == '"') {
        for (i++; i < text.length() && text.charAt(i) != '"'; i++) {
          if (text.charAt(i) == '\\') {
            i++;
          }
        }
        lineStart = false;
      } else if (ch == '#' || ch == '/' && i + 1 < text.length() && text.charAt(i + 1) == '/') {
        while (i + 1 < text.length() && text.charAt(i + 1) != '\n') {
          i++;
        }
      } else if (ch == '/' && i + 1 < text.length() && text.charAt(i + 1) == '*') {
        int close = text.indexOf("*/", i + 2);
        int to = close < 0 ? text.length() : close + 1;
        line += (int) text.substring(i, to).chars().filter(c -> c == '\n').count();
        i = to;
      } else if (ch == '{') {
        depth++;
        lineStart = false;
      } else if (ch == '}') {
        depth--;
        lineStart = false;
      } else if (Character.isLetter(ch) || ch == '_') {
        int from = i;
        while (i + 1 < text.length() && (Character.isLetterOrDigit(text.charAt(i + 1)) || text.charAt(i + 1) == '_'
            || text.charAt(i + 1) == '-')) {
          i++;
        }
        if (depth == 0 && lineStart) {
          found.add(new TopLevel(text.substring(from, i + 1), line));
        }
        lineStart = false;
      } else if (!Character.isWhitespace(ch)) {
        lineStart = false;
      }
    }
    return found;
  }

  private Server toServer() {
    refuseUnknownKeys(SERVER_KEYS, "server");
    ServerConfig c = new ServerConfig();
    spire.setting("trust_domain").ifPresent(v -> c.trustDomain = trustDomain(v));
    spire.setting("data_dir").ifPresent(v -> c.dataDir = Path.of(v));
    Optional<String> host = spire.setting("bind_address");
    Optional<String> port = spire.setting("bind_port");
    if (host.isPresent() || port.isPresent()) {
      c.listen = hostPort(host.orElse("0.0.0.0"), port.map(p -> port(p, "bind_port")).orElse("8081"));
    }
    spire.setting("ca_ttl").ifPresent(v -> c.caTtl = duration("ca_ttl", v));
    spire.setting("default_x509_svid_ttl").ifPresent(v -> c.svidTtl = duration("default_x509_svid_ttl", v));
    spire.setting("ca_key_type").ifPresent(v -> {
      if (!v.equals("ec-p256")) {
        throw new BadInputException(spire.at("ca_key_type") + ": ca_key_type '" + v
            + "' is not supported (trustmesh's signing CA uses ec-p256)");
      }
    });
    spire.setting("socket_path").ifPresent(v -> c.adminSocket = Path.of(v));
    for (SpirePlugin p : spire.plugins()) {
      switch (p.type()) {
        case "DataStore" -> dataStore(p, c);
        case "KeyManager" -> c.keyManager = keyManager(p, "keys_path", c.dataDir, true);
        case "NodeAttestor" -> joinToken(p);
        case "UpstreamAuthority" -> upstream(p, c);
        default -> throw unsupported(p, "trustmesh's server supports DataStore \"sql\", KeyManager \"disk\" or"
            + " \"memory\", NodeAttestor \"join_token\" and UpstreamAuthority \"disk\"");
      }
    }
    return new Server(c, logLevel());
  }

  private Agent toAgent() {
    refuseUnknownKeys(AGENT_KEYS, "agent");
    AgentConfig c = new AgentConfig();
    TrustDomain td = trustDomain(spire.setting("trust_domain").orElseThrow(() -> new BadInputException(
        spire.location() + ": trust_domain is required in the agent block")));
    Optional<String> host = spire.setting("server_address");
    Optional<String> port = spire.setting("server_port");
    if (host.isPresent() || port.isPresent()) {
      c.server = hostPort(host.orElse("127.0.0.1"), port.map(p -> port(p, "server_port")).orElse("8081"));
    }
    spire.setting("data_dir").ifPresent(v -> c.dataDir = Path.of(v));
    spire.setting("trust_bundle_path").ifPresent(v -> c.trustBundle = Path.of(v));
    spire.setting("join_token").ifPresent(v -> c.joinToken = Optional.of(v));
    spire.setting("socket_path").ifPresent(v -> c.socket = "unix://" + Path.of(v).toAbsolutePath());
    for (SpirePlugin p : spire.plugins()) {
      switch (p.type()) {
        case "NodeAttestor" -> joinToken(p);
        case "KeyManager" -> keyManager(p, "directory", c.dataDir, false);
        case "WorkloadAttestor" -> {
          if (!p.name().equals("unix")) {
            throw unsupported(p, "trustmesh's agent attests workloads with WorkloadAttestor \"unix\"");
          }
          noData(p);
        }
        default -> throw unsupported(p, "trustmesh's agent supports NodeAttestor \"join_token\", KeyManager \"disk\""
            + " and WorkloadAttestor \"unix\"");
      }
    }
    return new Agent(c, td, logLevel());
  }

  private void refuseUnknownKeys(Set<String> known, String block) {
    for (String key : spire.settings().keySet()) {
      if (!known.contains(key)) {
        String hint = key.equals("insecure_bootstrap")
            ? "trustmesh always verifies the server: give trust_bundle_path"
            : "trustmesh maps " + String.join(", ", new TreeSet<>(known));
        throw new BadInputException(spire.at(key) + ": " + block + " setting '" + key + "' is not supported (" + hint + ")");
      }
    }
  }

  private void dataStore(SpirePlugin p, ServerConfig c) {
    if (!p.name().equals("sql")) {
      throw unsupported(p, "trustmesh supports DataStore \"sql\" with database_type sqlite3 or postgres");
    }
    onlyData(p, Set.of("database_type", "connection_string"));
    String type = p.dataString("database_type");
    String conn = p.dataString("connection_string");
    switch (type) {
      case "sqlite3" -> {
        Path db = Path.of(conn.startsWith("file:") ? conn.substring("file:".length()).replaceFirst("\\?.*$", "") : conn);
        // The default file in data_dir stays relative to it, so that --data-dir moves it along.
        boolean inDataDir = c.dataDir != null && db.toAbsolutePath().normalize()
            .equals(c.dataDir.toAbsolutePath().normalize().resolve("datastore.sqlite3"));
        c.datastore = conn.isEmpty() || inDataDir ? "sqlite" : "sqlite:" + db;
      }
      case "postgres" -> {
        if (!conn.startsWith("postgres://") && !conn.startsWith("postgresql://")) {
          throw new BadInputException(p.location() + ": DataStore \"sql\" connection_string for postgres must be a URI"
              + " (postgres://user:password@host:port/db); trustmesh does not read the key=value form");
        }
        c.datastore = conn;
      }
      default -> throw new BadInputException(p.location() + ": DataStore \"sql\" database_type '" + type
          + "' is not supported (trustmesh supports sqlite3 and postgres)");
    }
  }

  /**
   * trustmesh keeps its keys in its data directory; a SPIRE path elsewhere would put them where the
   * operator does not expect, so only a path inside data_dir is accepted.
   */
  private String keyManager(SpirePlugin p, String pathKey, Path dataDir, boolean memoryAllowed) {
    switch (p.name()) {
      case "memory" -> {
        if (!memoryAllowed) {
          throw unsupported(p, "trustmesh's agent keeps its key in data_dir, as KeyManager \"disk\"");
        }
        noData(p);
        return "memory";
      }
      case "disk" -> {
        onlyData(p, Set.of(pathKey));
        String where = p.dataString(pathKey);
        if (!where.isEmpty() && (dataDir == null
            || !Path.of(where).toAbsolutePath().normalize().startsWith(dataDir.toAbsolutePath().normalize()))) {
          throw new BadInputException(p.location() + ": KeyManager \"disk\" " + pathKey + " '" + where
              + "' is outside data_dir (trustmesh keeps its keys in data_dir" + (memoryAllowed ? "/keys" : "") + ")");
        }
        return "disk";
      }
      default -> throw unsupported(p, "trustmesh supports KeyManager \"disk\"" + (memoryAllowed ? " and \"memory\"" : ""));
    }
  }

  private void joinToken(SpirePlugin p) {
    if (!p.name().equals("join_token")) {
      throw unsupported(p, "trustmesh attests nodes with NodeAttestor \"join_token\"");
    }
    noData(p);
  }

  private void upstream(SpirePlugin p, ServerConfig c) {
    if (!p.name().equals("disk")) {
      throw unsupported(p, "trustmesh supports UpstreamAuthority \"disk\", or none for a self-signed root");
    }
    onlyData(p, Set.of("cert_file_path", "key_file_path", "bundle_file_path"));
    if (p.dataString("cert_file_path").isEmpty() || p.dataString("key_file_path").isEmpty()) {
      throw new BadInputException(p.location() + ": UpstreamAuthority \"disk\" needs cert_file_path and key_file_path");
    }
    c.upstream = "disk";
    c.upstreamCert = Path.of(p.dataString("cert_file_path"));
    c.upstreamKey = Path.of(p.dataString("key_file_path"));
    if (!p.dataString("bundle_file_path").isEmpty()) {
      c.upstreamBundle = Path.of(p.dataString("bundle_file_path"));
    }
  }

  private Optional<String> logLevel() {
    Optional<String> level = spire.setting("log_level").map(v -> v.toUpperCase(Locale.ROOT));
    level.ifPresent(v -> {
      if (!LOG_LEVELS.contains(v)) {
        throw new BadInputException(spire.at("log_level") + ": log_level '" + v + "' is not one of DEBUG, INFO, WARN,"
            + " ERROR");
      }
    });
    return level;
  }

  private static void noData(SpirePlugin p) {
    onlyData(p, Set.of());
  }

  private static void onlyData(SpirePlugin p, Set<String> known) {
    for (String k : p.data().keySet()) {
      if (!known.contains(k)) {
        throw new BadInputException(p.location() + ": " + p.type() + " \"" + p.name() + "\" plugin_data '" + k
            + "' is not supported" + (known.isEmpty() ? " (trustmesh takes no settings for it)"
                : " (trustmesh maps " + String.join(", ", new TreeSet<>(known)) + ")"));
      }
    }
  }

  private static BadInputException unsupported(SpirePlugin p, String instead) {
    return new BadInputException(p.location() + ": plugin " + p.type() + " \"" + p.name() + "\" is not supported ("
        + instead + ")");
  }

  private TrustDomain trustDomain(String v) {
    try {
      return TrustDomain.parse(v);
    } catch (BadInputException e) {
      throw new BadInputException(spire.at("trust_domain") + ": " + e.getMessage());
    }
  }

  private Duration duration(String key, String v) {
    try {
      return Durations.parse(v);
    } catch (BadInputException e) {
      throw new BadInputException(spire.at(key) + ": " + key + ": " + e.getMessage());
    }
  }

  /** hcl4j reads an unquoted {@code 8081} as a number, printed {@code 8081.0}. */
  private String port(String raw, String key) {
    try {
      int p = new BigDecimal(raw.trim()).intValueExact();
      if (p < 0 || p > 65535) {
        throw new NumberFormatException();
      }
      return Integer.toString(p);
    } catch (ArithmeticException | NumberFormatException e) {
      throw new BadInputException(spire.at(key) + ": " + key + " '" + raw + "' is not a port number");
    }
  }

  private static String hostPort(String host, String port) {
    return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
  }

  private SourceLocation at(int line) {
    return SourceLocation.of(file.toString(), line);
  }
}

package io.trustmesh.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.time.Durations;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code sidecar.yaml}: several inbound ports (each with its own mode) and outbound upstreams in
 * one process. See {@code examples/sidecar.yaml} for every field. Errors name the file and the
 * field, e.g. {@code sidecar.yaml: inbound[1].mode: invalid mode 'strikt'}.
 */
public record SidecarFile(SidecarConfig config, Identity identity, Map<String, Identity> listenerIdentities) {
  /** Every listener presents the process identity. */
  public SidecarFile(SidecarConfig config, Identity identity) {
    this(config, identity, Map.of());
  }

  public SidecarFile {
    listenerIdentities = Map.copyOf(listenerIdentities);
  }

  /**
   * The identity {@code listener} presents: its own ({@code identity: NAME} on the listener, naming
   * one of {@code identities:}), else the process identity.
   */
  public Identity identityOf(String listener) {
    return listenerIdentities.getOrDefault(listener, identity);
  }

  /**
   * Where the identity comes from: exactly one of svid_dir, workload_api, or cert + key;
   * {@code spiffeId} picks one of several SVIDs the agent serves this uid (workload_api only).
   */
  public record Identity(Optional<Path> svidDir, Optional<String> workloadApi, Optional<SpiffeId> spiffeId,
      Optional<Path> cert, Optional<Path> key, Optional<Path> caBundle, Duration reloadInterval) {}

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  /** How long a session may be resumed with {@code resumption: true}: HAProxy's default, too. */
  static final Duration RESUMPTION_LIFETIME = Duration.ofMinutes(5);

  public static SidecarFile load(Path file) {
    JsonNode root;
    try {
      root = YAML.readTree(Files.readString(file));
    } catch (NoSuchFileException e) {
      throw new BadInputException("config file not found: " + file);
    } catch (IOException e) {
      throw new BadInputException(file + ": not valid YAML: " + Reasons.oneLine(String.valueOf(e.getMessage())));
    }
    if (root == null || !root.isObject()) {
      throw new BadInputException(file + ": expected a mapping with inbound/outbound listeners");
    }
    return new Parser(file, file.getParent() == null ? Path.of(".") : file.getParent()).parse(root);
  }

  private static final class Parser {
    private final Path file;
    private final Path base;

    Parser(Path file, Path base) {
      this.file = file;
      this.base = base;
    }

    BadInputException bad(String where, String what) {
      return new BadInputException(file + ": " + where + ": " + what);
    }

    void only(JsonNode n, String where, String... allowed) {
      Set<String> ok = Set.of(allowed);
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!ok.contains(f)) {
          throw bad(where.isEmpty() ? f : where + "." + f, "unknown field (expected one of " + String.join(", ", allowed) + ")");
        }
      }
    }

    Optional<String> text(JsonNode n, String field, String where) {
      JsonNode v = n.get(field);
      if (v == null || v.isNull()) {
        return Optional.empty();
      }
      if (!v.isValueNode()) {
        throw bad(where + field, "expected a value");
      }
      return Optional.of(v.asText());
    }

    String required(JsonNode n, String field, String where) {
      return text(n, field, where).orElseThrow(() -> bad(where + field, "required"));
    }

    <T> T conv(String where, String raw, Function<String, T> f) {
      try {
        return f.apply(raw);
      } catch (BadInputException e) {
        throw bad(where, e.getMessage());
      }
    }

    List<String> list(JsonNode n, String field, String where) {
      JsonNode v = n.get(field);
      List<String> out = new ArrayList<>();
      if (v == null || v.isNull()) {
        return out;
      }
      if (!v.isArray()) {
        throw bad(where + field, "expected a list");
      }
      v.forEach(x -> out.add(x.asText()));
      return out;
    }

    Path path(String raw) {
      Path p = Path.of(raw);
      return p.isAbsolute() ? p : base.resolve(p);
    }

    SidecarFile parse(JsonNode root) {
      only(root, "", "identity", "identities", "admin", "access_log", "limits", "resumption", "inbound", "outbound");
      JsonNode id = root.path("identity");
      if (!id.isMissingNode()) {
        only(id, "identity", "svid_dir", "workload_api", "spiffe_id", "cert", "key", "ca_bundle", "reload_interval");
      }
      Duration reload = text(id, "reload_interval", "identity.")
          .map(s -> conv("identity.reload_interval", s, Durations::parse)).orElse(Duration.ofSeconds(30));
      Identity identity = identity(id, "identity", Optional.empty(), reload);
      Map<String, Identity> named = new LinkedHashMap<>();
      JsonNode ids = root.path("identities");
      if (!ids.isMissingNode() && !ids.isNull()) {
        if (!ids.isObject()) {
          throw bad("identities", "expected a mapping of names to identities (web: {svid_dir: ...}), got " + kind(ids));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = ids.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          String where = "identities." + e.getKey();
          if (!e.getValue().isObject()) {
            throw bad(where, "expected a mapping (svid_dir, cert + key, or spiffe_id), got " + kind(e.getValue()));
          }
          only(e.getValue(), where, "svid_dir", "workload_api", "spiffe_id", "cert", "key", "ca_bundle");
          Identity own = identity(e.getValue(), where, identity.workloadApi(), reload);
          if (own.svidDir().isEmpty() && own.cert().isEmpty() && own.workloadApi().isEmpty()) {
            throw bad(where, "give svid_dir, cert + key, or spiffe_id (with workload_api)");
          }
          named.put(e.getKey(), own);
        }
      }
      Limits limits = Limits.DEFAULT;
      JsonNode l = root.path("limits");
      if (!l.isMissingNode()) {
        only(l, "limits", "handshake_timeout", "idle_timeout", "connect_timeout", "max_connections", "drain_timeout");
        Duration hs = text(l, "handshake_timeout", "limits.").map(s -> conv("limits.handshake_timeout", s,
            Durations::parse)).orElse(limits.handshakeTimeout());
        Duration idle = text(l, "idle_timeout", "limits.").map(s -> conv("limits.idle_timeout", s,
            Durations::parse)).orElse(limits.idleTimeout());
        Duration connect = text(l, "connect_timeout", "limits.").map(s -> conv("limits.connect_timeout", s,
            Durations::parse)).orElse(limits.connectTimeout());
        int max = text(l, "max_connections", "limits.").map(s -> conv("limits.max_connections", s, x -> {
          try {
            return Integer.parseInt(x);
          } catch (NumberFormatException e) {
            throw new BadInputException("not a number: '" + x + "'");
          }
        })).orElse(limits.maxConnections());
        Duration drain = text(l, "drain_timeout", "limits.").map(s -> conv("limits.drain_timeout", s,
            Durations::parse)).orElse(limits.drainTimeout());
        limits = conv("limits", "", x -> new Limits(hs, idle, connect, max, drain));
      }
      Map<String, Identity> perListener = new LinkedHashMap<>();
      List<InboundListener> inbound = new ArrayList<>();
      JsonNode in = sequence(root, "inbound");
      for (int i = 0; i < in.size(); i++) {
        InboundListener listener = inbound(in.get(i), "inbound[" + i + "]");
        listenerIdentity(in.get(i), "inbound[" + i + "].", named).ifPresent(x -> perListener.put(listener.name(), x));
        inbound.add(listener);
      }
      List<OutboundListener> outbound = new ArrayList<>();
      JsonNode out = sequence(root, "outbound");
      for (int i = 0; i < out.size(); i++) {
        Optional<Identity> own = listenerIdentity(out.get(i), "outbound[" + i + "].", named);
        OutboundListener listener = outbound(out.get(i), "outbound[" + i + "]", own.orElse(identity));
        own.ifPresent(x -> perListener.put(listener.name(), x));
        outbound.add(listener);
      }
      Optional<InetSocketAddress> admin = text(root, "admin", "").map(s -> conv("admin", s,
          x -> Addresses.parse(x, "admin address").resolved()));
      Optional<String> accessLog = text(root, "access_log", "").map(s -> s.equals("-") ? s : path(s).toString());
      Limits lim = limits;
      Resumption resumption = resumption(root);
      SidecarConfig config = conv("listeners", "", x -> new SidecarConfig(inbound, outbound, admin, accessLog, lim,
          resumption));
      return new SidecarFile(config, identity, perListener);
    }

    /**
     * One identity source at {@code where}: exactly one of svid_dir, workload_api (or, for a named
     * identity, the process's workload_api with a spiffe_id), or cert + key.
     */
    Identity identity(JsonNode id, String where, Optional<String> processWorkloadApi, Duration reload) {
      String w = where + ".";
      Optional<SpiffeId> spiffeId = text(id, "spiffe_id", w).map(s -> conv(w + "spiffe_id", s, SpiffeId::parse));
      Optional<String> workloadApi = text(id, "workload_api", w)
          .or(() -> spiffeId.isPresent() ? processWorkloadApi : Optional.empty());
      Identity identity = new Identity(text(id, "svid_dir", w).map(this::path), workloadApi, spiffeId,
          text(id, "cert", w).map(this::path), text(id, "key", w).map(this::path),
          text(id, "ca_bundle", w).map(this::path), reload);
      int sources = (identity.svidDir().isPresent() ? 1 : 0) + (identity.workloadApi().isPresent() ? 1 : 0)
          + (identity.cert().isPresent() || identity.key().isPresent() ? 1 : 0);
      if (sources > 1) {
        throw bad(where, "give one of svid_dir, workload_api, or cert + key");
      }
      if (identity.cert().isPresent() != identity.key().isPresent()) {
        throw bad(where, "cert and key go together");
      }
      if (identity.spiffeId().isPresent() && identity.workloadApi().isEmpty()) {
        throw bad(w + "spiffe_id", "picks one of the agent's SVIDs: give workload_api too");
      }
      return identity;
    }

    /** The named identity a listener presents ({@code identity: NAME}); empty: the process identity. */
    Optional<Identity> listenerIdentity(JsonNode n, String w, Map<String, Identity> named) {
      Optional<String> name = n == null ? Optional.empty() : text(n, "identity", w);
      if (name.isEmpty()) {
        return Optional.empty();
      }
      Identity own = named.get(name.get());
      if (own == null) {
        throw bad(w + "identity", "no identity named '" + name.get() + "' under identities:"
            + (named.isEmpty() ? " (there are none)" : " (defined: " + String.join(", ", named.keySet()) + ")"));
      }
      return Optional.of(own);
    }

    /**
     * {@code resumption: true} (sessions resumable for {@link #RESUMPTION_LIFETIME}), {@code false}
     * (the default), or a lifetime such as {@code 10m}. One setting for the whole process: it
     * applies to every inbound (which then issues tickets) and every outbound (which offers them).
     */
    Resumption resumption(JsonNode root) {
      JsonNode r = root.get("resumption");
      if (r == null || r.isNull() || r.isBoolean() && !r.booleanValue()) {
        return Resumption.OFF;
      }
      if (r.isBoolean()) {
        return Resumption.enabled(RESUMPTION_LIFETIME);
      }
      if (!r.isTextual()) {
        throw bad("resumption", "expected true, false or a lifetime such as 10m, got " + kind(r));
      }
      Duration lifetime = conv("resumption", r.asText(), s -> {
        try {
          return Durations.parse(s);
        } catch (BadInputException e) {
          throw new BadInputException("expected true, false or a lifetime such as 10m, got '" + s + "'");
        }
      });
      return conv("resumption", "", x -> Resumption.enabled(lifetime, "lifetime"));
    }

    /**
     * The list at {@code field} (absent: empty). A mapping there has a size too, but no elements by
     * index: refuse it rather than crash on it or skip it (found by Jazzer:
     * SidecarFileFuzzTestInputs/load/inbound_as_a_mapping.yaml).
     */
    JsonNode sequence(JsonNode root, String field) {
      JsonNode n = root.path(field);
      if (!n.isMissingNode() && !n.isNull() && !n.isArray()) {
        throw bad(field, "expected a list of listeners (- name: ...), got " + kind(n));
      }
      return n;
    }

    private static String kind(JsonNode n) {
      return switch (n.getNodeType()) {
        case OBJECT -> "a mapping";
        case ARRAY -> "a list";
        case STRING -> "a string";
        case NUMBER -> "a number";
        case BOOLEAN -> "a boolean";
        case NULL, MISSING -> "nothing";
        default -> "a " + n.getNodeType().toString().toLowerCase(Locale.ROOT);
      };
    }

    InboundListener inbound(JsonNode n, String where) {
      only(n, where, "name", "listen", "target", "mode", "allow", "identity");
      String w = where + ".";
      String name = text(n, "name", w).orElse(where);
      InetSocketAddress listen = conv(w + "listen", required(n, "listen", w),
          s -> Addresses.parse(s, "listen address").resolved());
      SocketAddress target = conv(w + "target", required(n, "target", w), s -> Addresses.endpoint(s, "target"));
      InboundMode mode = text(n, "mode", w).map(s -> conv(w + "mode", s, InboundMode::parse))
          .orElse(InboundMode.STRICT);
      AllowPolicy.Builder allow = AllowPolicy.builder();
      JsonNode a = n.path("allow");
      if (!a.isMissingNode()) {
        only(a, w + "allow", "ids", "id_prefixes", "trust_domains", "any_id");
        list(a, "ids", w + "allow.").forEach(s -> allow.id(conv(w + "allow.ids", s, SpiffeId::parse)));
        list(a, "id_prefixes", w + "allow.").forEach(s -> conv(w + "allow.id_prefixes", s, allow::idPrefix));
        list(a, "trust_domains", w + "allow.").forEach(s ->
            allow.trustDomain(conv(w + "allow.trust_domains", s, TrustDomain::parse)));
        if (a.path("any_id").asBoolean(false)) {
          allow.anyId();
        }
      }
      return new InboundListener(name, listen, target, mode, allow.build());
    }

    OutboundListener outbound(JsonNode n, String where, Identity identity) {
      only(n, where, "name", "listen", "target", "tls", "expect_id", "expect_trust_domain", "server_name",
          "ca_bundle", "identity");
      String w = where + ".";
      String name = text(n, "name", w).orElse(where);
      SocketAddress listen = conv(w + "listen", required(n, "listen", w),
          s -> Addresses.outboundListen(s, "outbound listen address"));
      Addresses.HostPort target = conv(w + "target", required(n, "target", w), s -> Addresses.parse(s, "target"));
      OutboundTls tls = text(n, "tls", w).map(s -> conv(w + "tls", s, OutboundTls::parse)).orElse(OutboundTls.MUTUAL);
      Optional<Path> ca = text(n, "ca_bundle", w).map(this::path).or(identity::caBundle);
      List<X509Certificate> caBundle = ca.map(p -> conv(w + "ca_bundle", p.toString(),
          s -> Pem.readCertificates(Path.of(s)))).orElse(List.of());
      return conv(where, "", x -> new OutboundListener(name, listen, target.host(), target.port(), tls,
          text(n, "expect_id", w).map(s -> conv(w + "expect_id", s, SpiffeId::parse)),
          text(n, "expect_trust_domain", w).map(s -> conv(w + "expect_trust_domain", s, TrustDomain::parse)),
          text(n, "server_name", w), caBundle));
    }
  }
}

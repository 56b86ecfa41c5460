package io.trustmesh.policy.meshfile;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.policy.source.Manifest;
import io.trustmesh.policy.source.ManifestReader;
import io.trustmesh.policy.source.ReadProblem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads {@code trustmesh.yaml}: YAML with the line of every field (policy's {@link ManifestReader}),
 * then the JSON Schema ({@link MeshFileSchema}), then what a schema cannot say (SPIFFE IDs parsed by
 * core's rules, duplicate services, ports and identities, upstreams naming unknown services, TTLs in
 * order). The first problem by line is thrown as a {@link MeshFileException}.
 */
public final class MeshFileLoader {
  private static final Pattern DURATION_PART = Pattern.compile("([0-9]+)(h|m|s)");
  /** DESIGN: short-lived leaves, 24h max. */
  static final Duration MAX_SVID_TTL = Duration.ofHours(24);

  private MeshFileLoader() {}

  public static MeshFile load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new BadInputException("mesh file not found: " + file);
    } catch (IOException e) {
      throw new BadInputException("cannot read mesh file " + file + ": " + e.getMessage());
    }
    return parse(file.toString(), text);
  }

  /** Parses a mesh file's text; {@code file} is only used in messages. */
  public static MeshFile parse(String file, String text) {
    ManifestReader.Result read = new ManifestReader().read(file, text);
    if (!read.problems().isEmpty()) {
      ReadProblem p = read.problems().get(0);
      throw new MeshFileException(file, p.location().line(), "", p.message());
    }
    if (read.manifests().size() != 1) {
      throw new MeshFileException(file, 0, "", "a mesh file holds exactly one document (apiVersion: "
          + "trustmesh.io/v1alpha1, kind: Mesh), found " + read.manifests().size());
    }
    Manifest doc = read.manifests().get(0);
    List<MeshFileSchema.Violation> violations = MeshFileSchema.validate(doc.root().toString());
    if (!violations.isEmpty()) {
      MeshFileSchema.Violation first = violations.stream()
          .min(Comparator.comparingInt((MeshFileSchema.Violation v) -> doc.at(v.pointer()).line())
              .thenComparing(MeshFileSchema.Violation::pointer))
          .orElseThrow();
      throw error(doc, first.pointer(), first.problem());
    }
    return new Reading(doc).mesh();
  }

  static MeshFileException error(Manifest doc, String pointer, String problem) {
    return new MeshFileException(doc.file(), doc.at(pointer).line(), field(pointer), problem);
  }

  /** {@code /services/1/ports/0/mode} → {@code services[1].ports[0].mode}. */
  static String field(String pointer) {
    StringBuilder sb = new StringBuilder();
    for (String part : pointer.split("/")) {
      if (part.isEmpty()) {
        continue;
      }
      String name = part.replace("~1", "/").replace("~0", "~");
      if (name.chars().allMatch(Character::isDigit)) {
        sb.append('[').append(name).append(']');
      } else {
        sb.append(sb.length() == 0 ? "" : ".").append(name);
      }
    }
    return sb.toString();
  }

  /** Parses {@code 1h30m}; the schema has already checked the form. */
  static Duration duration(String raw) {
    Duration d = Duration.ZERO;
    Matcher m = DURATION_PART.matcher(raw);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      d = d.plus(switch (m.group(2)) {
        case "h" -> Duration.ofHours(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofSeconds(n);
      });
    }
    return d;
  }

  /** One schema-valid document turned into the typed model, checking what the schema cannot. */
  private static final class Reading {
    private final Manifest doc;
    private final JsonNode root;
    private final TrustDomain trustDomain;

    Reading(Manifest doc) {
      this.doc = doc;
      this.root = doc.root();
      this.trustDomain = trustDomain("/trustDomain", root.path("trustDomain").asText());
    }

    MeshFile mesh() {
      CaSettings ca = ca(root.path("ca"));
      Mode meshMode = mode(root.path("mtls").path("mode")).orElse(MeshFile.DEFAULT_MESH_MODE);
      Map<String, Mode> namespaces = new LinkedHashMap<>();
      root.path("mtls").path("namespaces").fields().forEachRemaining(e -> namespaces.put(e.getKey(), Mode.valueOf(e.getValue().asText())));
      List<MeshService> services = new ArrayList<>();
      JsonNode list = root.path("services");
      Map<String, String> names = new HashMap<>();
      Map<SpiffeId, String> ids = new HashMap<>();
      for (int i = 0; i < list.size(); i++) {
        String at = "/services/" + i;
        MeshService s = service(at, list.get(i));
        String previous = names.putIfAbsent(s.name(), at);
        if (previous != null) {
          throw error(doc, at + "/name", "duplicate service name '" + s.name() + "' (first at line "
              + doc.at(previous).line() + ")");
        }
        String sameId = ids.putIfAbsent(s.spiffeId(), at);
        if (sameId != null) {
          throw error(doc, at, "SPIFFE ID " + s.spiffeId() + " is already the identity of the service at line "
              + doc.at(sameId).line() + ": two services cannot share one identity");
        }
        services.add(s);
      }
      checkUpstreams(services);
      return new MeshFile(doc.file(), trustDomain, ca, meshMode, namespaces, services, p -> doc.at(p).line());
    }

    private CaSettings ca(JsonNode ca) {
      CaSettings d = CaSettings.defaults();
      Duration root = ttl(ca, "rootTtl", d.rootTtl());
      Duration intermediate = ttl(ca, "intermediateTtl", d.intermediateTtl());
      Duration signing = ttl(ca, "signingCaTtl", d.signingCaTtl());
      Duration svid = ttl(ca, "svidTtl", d.svidTtl());
      CaSettings.KeyType key = ca.has("keyType") ? CaSettings.KeyType.of(ca.path("keyType").asText()) : d.keyType();
      if (svid.compareTo(MAX_SVID_TTL) > 0) {
        throw error(doc, "/ca/svidTtl", "SVIDs are short-lived: at most 24h, not " + ca.path("svidTtl").asText());
      }
      requireShorter("/ca/svidTtl", svid, "signingCaTtl", signing);
      requireShorter("/ca/signingCaTtl", signing, "intermediateTtl", intermediate);
      requireShorter("/ca/intermediateTtl", intermediate, "rootTtl", root);
      return new CaSettings(root, intermediate, signing, svid, key);
    }

    private Duration ttl(JsonNode ca, String key, Duration fallback) {
      if (!ca.has(key)) {
        return fallback;
      }
      Duration d = duration(ca.path(key).asText());
      if (d.isZero()) {
        throw error(doc, "/ca/" + key, "must be positive: " + ca.path(key).asText());
      }
      return d;
    }

    private void requireShorter(String pointer, Duration inner, String outerName, Duration outer) {
      if (inner.compareTo(outer) >= 0) {
        throw error(doc, pointer, "must be shorter than " + outerName + " (" + outer + "), a certificate cannot "
            + "outlive its issuer: " + inner);
      }
    }

    private MeshService service(String at, JsonNode s) {
      String name = s.path("name").asText();
      String ns = s.path("namespace").asText("default");
      SpiffeId id = s.has("spiffeId") ? spiffeId(at + "/spiffeId", s.path("spiffeId").asText())
          : trustDomain.newSpiffeId("ns", ns, "sa", name);
      if (!id.memberOf(trustDomain)) {
        throw error(doc, at + "/spiffeId", id + " is not in the mesh's trust domain " + trustDomain.name());
      }
      List<String> command = new ArrayList<>();
      s.path("command").forEach(c -> command.add(c.asText()));
      List<MeshPort> ports = ports(at, s.path("ports"));
      List<Upstream> upstreams = new ArrayList<>();
      JsonNode ups = s.path("upstreams");
      for (int i = 0; i < ups.size(); i++) {
        upstreams.add(upstream(at + "/upstreams/" + i, ups.get(i)));
      }
      List<AllowRule> allow = new ArrayList<>();
      JsonNode rules = s.path("allow");
      for (int i = 0; i < rules.size(); i++) {
        allow.add(allowRule(at + "/allow/" + i, rules.get(i)));
      }
      boolean sidecar = s.path("sidecar").asBoolean(true);
      if (!sidecar && !allow.isEmpty()) {
        throw error(doc, at + "/allow", "a service without a sidecar cannot check callers' identities: remove 'allow'"
            + " or the 'sidecar: false'");
      }
      if (!sidecar && s.has("mode")) {
        throw error(doc, at + "/mode", "a service without a sidecar accepts plaintext only: a mode has no effect");
      }
      return new MeshService(name, ns, id, command, text(s, "address"), text(s, "image"),
          sidecar, mode(s.path("mode")), ports,
          upstreams, allow, doc.at(at).line());
    }

    private List<MeshPort> ports(String at, JsonNode list) {
      List<MeshPort> out = new ArrayList<>();
      Map<Integer, String> seen = new HashMap<>();
      Set<String> names = new HashSet<>();
      for (int i = 0; i < list.size(); i++) {
        String p = at + "/ports/" + i;
        JsonNode n = list.get(i);
        int port = n.path("port").asInt();
        String previous = seen.putIfAbsent(port, p);
        if (previous != null) {
          throw error(doc, p + "/port", "port " + port + " is declared twice (first at line " + doc.at(previous).line()
              + "): give each port one entry and one mode");
        }
        String name = n.path("name").asText("");
        if (!name.isEmpty() && !names.add(name)) {
          throw error(doc, p + "/name", "port name '" + name + "' is used twice");
        }
        OptionalInt appPort = n.has("appPort") ? OptionalInt.of(n.path("appPort").asInt()) : OptionalInt.empty();
        out.add(new MeshPort(port, name, mode(n.path("mode")), appPort, doc.at(p).line()));
      }
      return out;
    }

    private Upstream upstream(String at, JsonNode u) {
      List<String> expect = new ArrayList<>();
      JsonNode ids = u.path("expect");
      for (int i = 0; i < ids.size(); i++) {
        expect.add(spiffeId(at + "/expect/" + i, ids.get(i).asText()).toString());
      }
      return new Upstream(u.path("service").asText(), optionalInt(u, "port"), optionalInt(u, "localPort"), expect,
          doc.at(at).line());
    }

    private AllowRule allowRule(String at, JsonNode r) {
      if (r.has("spiffeId")) {
        return new AllowRule(AllowRule.Kind.SPIFFE_ID, spiffeId(at + "/spiffeId", r.path("spiffeId").asText()).toString(),
            doc.at(at).line());
      }
      if (r.has("prefix")) {
        String raw = r.path("prefix").asText();
        String trimmed = raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
        return new AllowRule(AllowRule.Kind.PREFIX, spiffeId(at + "/prefix", trimmed).toString(), doc.at(at).line());
      }
      return new AllowRule(AllowRule.Kind.TRUST_DOMAIN,
          trustDomain(at + "/trustDomain", r.path("trustDomain").asText()).name(), doc.at(at).line());
    }

    private void checkUpstreams(List<MeshService> services) {
      Map<String, MeshService> byName = new HashMap<>();
      services.forEach(s -> byName.put(s.name(), s));
      for (int i = 0; i < services.size(); i++) {
        List<Upstream> ups = services.get(i).upstreams();
        for (int j = 0; j < ups.size(); j++) {
          Upstream u = ups.get(j);
          String at = "/services/" + i + "/upstreams/" + j;
          MeshService target = byName.get(u.service());
          if (target == null) {
            throw error(doc, at + "/service", "no service named '" + u.service() + "' in this mesh file (services: "
                + String.join(", ", services.stream().map(MeshService::name).sorted().toList()) + ")");
          }
          if (target.ports().isEmpty()) {
            throw error(doc, at + "/service", "service '" + u.service() + "' has no inbound ports to call");
          }
          if (u.port().isPresent() && target.port(u.port().getAsInt()).isEmpty()) {
            throw error(doc, at + "/port", "service '" + u.service() + "' has no port " + u.port().getAsInt());
          }
        }
      }
    }

    private Optional<Mode> mode(JsonNode n) {
      return n.isMissingNode() ? Optional.empty() : Optional.of(Mode.valueOf(n.asText()));
    }

    private static Optional<String> text(JsonNode n, String key) {
      return n.has(key) ? Optional.of(n.path(key).asText()) : Optional.empty();
    }

    private static OptionalInt optionalInt(JsonNode n, String key) {
      return n.has(key) ? OptionalInt.of(n.path(key).asInt()) : OptionalInt.empty();
    }

    private SpiffeId spiffeId(String pointer, String raw) {
      try {
        return SpiffeId.parse(raw);
      } catch (RuntimeException e) {
        throw error(doc, pointer, "not a SPIFFE ID: " + e.getMessage());
      }
    }

    private TrustDomain trustDomain(String pointer, String raw) {
      try {
        return TrustDomain.parse(raw);
      } catch (RuntimeException e) {
        throw error(doc, pointer, "not a trust domain: " + e.getMessage());
      }
    }
  }
}

package io.trustmesh.mesh.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.io.AtomicFiles;
import io.trustmesh.core.io.FileOwnership;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a running local mesh is made of, as {@code trustmesh up} writes it to {@code STATE_DIR/state.json}
 * once everything is started (and {@code trustmesh down} removes it): the supervising process, the
 * server and agent endpoints, and per service its process and its sidecars' listeners, admin
 * endpoints and access logs. {@code edges}, {@code tap}, the dashboard, {@code rotate}, {@code status}
 * and {@code down} read it with {@link #read(Path)}, the one reader of the file. The contract is
 * {@code MESH-STATE.md}: version 1, snake_case fields, unknown fields ignored by readers, absent
 * optional fields omitted.
 *
 * <p>The file names the admin socket {@code rotate} talks to, the processes {@code down} signals and
 * the logs the observers read, so {@link #read(Path)} believes it only when no one else could have
 * written it: the state directory is checked as {@link StateDirectory#existing(Path)} does (this
 * user's, writable by no one else), and {@code state.json} must be a regular file of this user that
 * neither group nor others can write.
 *
 * <pre>{@code
 * Optional<MeshState> s = MeshState.read(Path.of(".trustmesh"));
 * s.ifPresent(st -> st.services().forEach(svc -> System.out.println(svc.spiffeId())));
 * }</pre>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MeshState(
    int version,
    long pid,
    String pidStart,
    String meshFile,
    String trustDomain,
    String started,
    String dashboard,
    Ca ca,
    Server server,
    Agent agent,
    List<Service> services) {

  public static final int VERSION = 1;
  public static final String FILE = "state.json";
  /** A state.json larger than this is not one {@code up} wrote. */
  static final long MAX_BYTES = 4L * 1024 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
      .enable(SerializationFeature.INDENT_OUTPUT);

  public MeshState {
    services = services == null ? List.of() : List.copyOf(services);
  }

  /** The CA hierarchy's certificates (no keys): the offline root and the mesh's intermediate. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Ca(String root, String intermediate) {}

  /** The server: node API address, admin socket (for {@code rotate}, {@code entry}) and the trust bundle file. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Server(String address, String adminSocket, String bundle) {}

  /** The agent's Workload API endpoint ({@code unix:/abs/path}). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Agent(String workloadApi) {}

  /** One service of the mesh file; {@code process} is absent when {@code up} did not start it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Service(String name, String namespace, String spiffeId, ProcessInfo process,
      List<Sidecar> sidecars) {
    public Service {
      sidecars = sidecars == null ? List.of() : List.copyOf(sidecars);
    }
  }

  /**
   * A process {@code up} started: its pid, the start time the kernel gives it (so that {@code down}
   * never signals a process that merely reuses the pid), and its command line.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ProcessInfo(long pid, String start, List<String> command) {
    public ProcessInfo {
      command = command == null ? List.of() : List.copyOf(command);
    }
  }

  /**
   * One listener of a service's sidecar. Inbound: {@code port} (where callers connect), {@code mode},
   * {@code target} (the app: {@code 127.0.0.1:PORT} or {@code unix:/path}). Outbound: {@code port}
   * (the mesh file's {@code localPort}), {@code listen} (where the app connects: {@code 127.0.0.1:PORT},
   * or {@code unix:/path} when the port is not bound at all), {@code upstream}, {@code target} (the
   * upstream's inbound port), {@code tls}, {@code expect_id}.
   * {@code listener} is the name in the access log's {@code listener} field and the metrics' label;
   * {@code admin} and {@code access_log} are shared by the listeners of one service and direction.
   * {@code mesh_port} (inbound) and {@code upstream_port} (outbound) are the mesh file's ports when
   * the sidecar listens or connects elsewhere (tests, port clashes); absent otherwise.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Sidecar(String kind, String listener, int port, String mode, String target, String upstream,
      String tls, String expectId, String admin, String accessLog, String listen, Integer upstreamPort,
      Integer meshPort) {
    public static final String INBOUND = "inbound";
    public static final String OUTBOUND = "outbound";

    /** A listener on the mesh file's own ports, without {@code listen} (an inbound's is {@code 127.0.0.1:port}). */
    public Sidecar(String kind, String listener, int port, String mode, String target, String upstream,
        String tls, String expectId, String admin, String accessLog) {
      this(kind, listener, port, mode, target, upstream, tls, expectId, admin, accessLog, null);
    }

    /** A listener on the mesh file's own ports; an outbound's {@code listen} may be a unix socket. */
    public Sidecar(String kind, String listener, int port, String mode, String target, String upstream,
        String tls, String expectId, String admin, String accessLog, String listen) {
      this(kind, listener, port, mode, target, upstream, tls, expectId, admin, accessLog, listen, null, null);
    }
  }

  /**
   * Reads {@code stateDir/state.json}; empty when there is none (no mesh was started there, or it
   * was stopped). Refused as bad input: a state directory or file someone else could have written
   * (see the class comment), a symbolic link, a file that is not a version-1 state, a service
   * without a name.
   */
  public static Optional<MeshState> read(Path stateDir) {
    if (StateDirectory.existing(stateDir).isEmpty()) {
      return Optional.empty();
    }
    Path file = stateDir.resolve(FILE);
    JsonNode root;
    try {
      FileOwnership own = FileOwnership.of(file);
      if (own.symbolicLink() || own.directory() || !own.ownedBy(FileOwnership.currentUid())
          || own.writableByGroupOrOthers()) {
        throw new BadInputException("refusing " + file + " (" + own.describe()
            + (own.symbolicLink() ? ", a symbolic link" : "") + "): it names the processes, sockets and logs"
            + " of the mesh, so it must be a regular file of this user that no one else can write");
      }
      if (Files.size(file) > MAX_BYTES) {
        throw new BadInputException(file + " is larger than " + MAX_BYTES + " bytes: not a state file");
      }
      root = JSON.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (JsonProcessingException e) {
      throw new BadInputException(file + " is not a trustmesh mesh state: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new BadInputException("cannot read " + file + ": " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new BadInputException(file + ": not a JSON object");
    }
    if (!root.path("version").isInt() || root.path("version").asInt() != VERSION) {
      throw new BadInputException(file + ": state version " + root.path("version") + " is not supported (expected "
          + VERSION + ")");
    }
    int i = 0;
    for (JsonNode service : root.path("services")) {
      if (service.path("name").asText("").isEmpty()) {
        throw new BadInputException(file + ": services[" + i + "].name is missing");
      }
      i++;
    }
    try {
      return Optional.of(JSON.treeToValue(root, MeshState.class));
    } catch (JsonProcessingException e) {
      throw new BadInputException(file + " is not a trustmesh mesh state: " + e.getOriginalMessage());
    }
  }

  /** Writes {@code stateDir/state.json} atomically (temp file, fsync, rename), mode 0600. */
  public void write(Path stateDir) {
    try {
      AtomicFiles.write(stateDir.resolve(FILE), JSON.writeValueAsBytes(this), true);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode the mesh state: " + e.getMessage(), e);
    }
  }

  /** The same state with the dashboard's URL. */
  public MeshState withDashboard(String url) {
    return new MeshState(version, pid, pidStart, meshFile, trustDomain, started, url, ca, server, agent, services);
  }

  public Optional<Service> service(String name) {
    return services.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** The state as JSON, as written to the file. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

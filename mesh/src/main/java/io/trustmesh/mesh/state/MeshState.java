package io.trustmesh.mesh.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.io.AtomicFiles;
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
 * and {@code down} read it with {@link #read(Path)}. The contract is {@code MESH-STATE.md}: version 1,
 * snake_case fields, unknown fields ignored by readers, absent optional fields omitted.
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
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Sidecar(String kind, String listener, int port, String mode, String target, String upstream,
      String tls, String expectId, String admin, String accessLog, String listen) {
    public static final String INBOUND = "inbound";
    public static final String OUTBOUND = "outbound";

    /** Without {@code listen} (an inbound listener's is {@code 127.0.0.1:port}). */
    public Sidecar(String kind, String listener, int port, String mode, String target, String upstream,
        String tls, String expectId, String admin, String accessLog) {
      this(kind, listener, port, mode, target, upstream, tls, expectId, admin, accessLog, null);
    }
  }

  /**
   * Reads {@code stateDir/state.json}; empty when there is none (no mesh was started there, or it
   * was stopped). A file that is not a version-1 state is bad input.
   */
  public static Optional<MeshState> read(Path stateDir) {
    Path file = stateDir.resolve(FILE);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new BadInputException("cannot read " + file + ": " + e.getMessage());
    }
    MeshState s;
    try {
      s = JSON.readValue(bytes, MeshState.class);
    } catch (JsonProcessingException e) {
      throw new BadInputException(file + " is not a trustmesh mesh state: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new BadInputException("cannot read " + file + ": " + e.getMessage());
    }
    if (s.version() != VERSION) {
      throw new BadInputException(file + ": state version " + s.version() + " is not supported (expected "
          + VERSION + ")");
    }
    return Optional.of(s);
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

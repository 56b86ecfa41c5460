package io.trustmesh.mesh.rotate;

import io.trustmesh.core.BadInputException;
import io.trustmesh.mesh.state.MeshState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code rotate} takes from a running mesh's {@code state.json}: the server's admin socket and
 * each sidecar's admin address. The file is read by the mesh's one reader, {@link MeshState#read},
 * which refuses a state directory or {@code state.json} someone else could have written: the file
 * decides which socket we talk to, and a planted one would point {@code rotate} at a fake server
 * that reports a rotation that never happened.
 */
public record MeshStateFile(Path file, Path adminSocket, List<Sidecar> sidecars) {
  /** One sidecar: its service, {@code inbound} or {@code outbound}, and its admin {@code HOST:PORT}. */
  public record Sidecar(String service, String kind, String admin) {}

  public static final String NAME = MeshState.FILE;

  public MeshStateFile {
    sidecars = List.copyOf(sidecars);
  }

  public static MeshStateFile read(Path stateDir) {
    Path file = stateDir.resolve(NAME);
    MeshState state = MeshState.read(stateDir).orElseThrow(() -> new BadInputException("no running mesh in "
        + stateDir + " (" + NAME + " not found); start one with 'trustmesh up', or pass --admin-socket PATH"));
    String socket = state.server() == null || state.server().adminSocket() == null ? ""
        : state.server().adminSocket();
    if (socket.isEmpty()) {
      throw new BadInputException(file + ": server.admin_socket is missing");
    }
    List<Sidecar> sidecars = new ArrayList<>();
    for (MeshState.Service svc : state.services()) {
      for (MeshState.Sidecar sc : svc.sidecars()) {
        if (sc.admin() != null && !sc.admin().isEmpty()) {
          sidecars.add(new Sidecar(svc.name(), sc.kind() == null ? "?" : sc.kind(), sc.admin()));
        }
      }
    }
    return new MeshStateFile(file, Path.of(socket), sidecars);
  }
}

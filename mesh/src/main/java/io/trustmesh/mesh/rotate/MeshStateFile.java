package io.trustmesh.mesh.rotate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.io.FileOwnership;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code rotate} reads from a running mesh's {@code state.json} (written by {@code trustmesh up},
 * see the state directory contract): the server's admin socket and each sidecar's admin address.
 * Unknown fields are ignored.
 *
 * <p>The file decides which socket we talk to, so it must be this user's and writable by no one
 * else: a {@code state.json} planted in a shared directory would otherwise point {@code rotate} at
 * a fake server that reports a rotation that never happened.
 */
public record MeshStateFile(Path file, Path adminSocket, List<Sidecar> sidecars) {
  /** One sidecar: its service, {@code inbound} or {@code outbound}, and its admin {@code HOST:PORT}. */
  public record Sidecar(String service, String kind, String admin) {}

  public static final String NAME = "state.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  public MeshStateFile {
    sidecars = List.copyOf(sidecars);
  }

  public static MeshStateFile read(Path stateDir) {
    Path file = stateDir.resolve(NAME);
    JsonNode root;
    try {
      FileOwnership own = FileOwnership.of(file);
      if (own.symbolicLink() || !own.ownedBy(FileOwnership.currentUid()) || own.writableByGroupOrOthers()) {
        throw new BadInputException("refusing " + file + " (" + own.describe() + (own.symbolicLink() ? ", a symbolic link" : "")
            + "): it names the admin socket to use, so it must be a regular file of this user that no one else can write");
      }
      root = JSON.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new BadInputException("no running mesh in " + stateDir + " (" + NAME + " not found); start one with"
          + " 'trustmesh up', or pass --admin-socket PATH");
    } catch (IOException e) {
      throw new BadInputException("cannot read " + file + ": " + e.getMessage());
    }
    String socket = root.path("server").path("admin_socket").asText("");
    if (socket.isEmpty()) {
      throw new BadInputException(file + ": server.admin_socket is missing");
    }
    List<Sidecar> sidecars = new ArrayList<>();
    for (JsonNode svc : root.path("services")) {
      for (JsonNode sc : svc.path("sidecars")) {
        String admin = sc.path("admin").asText("");
        if (!admin.isEmpty()) {
          sidecars.add(new Sidecar(svc.path("name").asText("?"), sc.path("kind").asText("?"), admin));
        }
      }
    }
    return new MeshStateFile(file, Path.of(socket), sidecars);
  }
}

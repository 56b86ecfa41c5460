package io.trustmesh.proxy;

import io.trustmesh.api.uds.PrivateSocket;
import io.trustmesh.api.uds.SocketDirectory;
import java.nio.file.Path;

/**
 * The unix sockets between a sidecar and its own app, where the app's plaintext hop is reachable by
 * this user only (the point of using them instead of a loopback port, which every local user
 * reaches).
 *
 * <ul>
 *   <li>An outbound listener trustmesh creates: its directory must be this user's (or root's) and
 *       writable by nobody else, as must its ancestors (sticky {@code /tmp} excepted); a missing one is
 *       created 0700. The socket gets mode 0600 before it appears at its path (bound in a private
 *       directory, then hard-linked into place); a stale socket of ours is replaced, a live one or
 *       anybody else's file is refused ({@link PrivateSocket}).
 *   <li>An inbound target (the app's socket): its directory is checked the same way, and must exist.
 * </ul>
 */
final class LocalSockets {
  /** Mode of a listener socket: only this user may connect. */
  static final String SOCKET_MODE = "rw-------";

  private LocalSockets() {}

  /** Binds an outbound listener at {@code socket} through {@code binder}; close the result to remove it. */
  static PrivateSocket listen(Path socket, String listener, PrivateSocket.Binder binder) {
    return PrivateSocket.bind(socket, SocketDirectory.PRIVATE, SOCKET_MODE, "listen address of " + listener, binder);
  }

  /** Refuses an inbound target whose directory another user could write (they could put their socket there). */
  static void checkTarget(Path socket, String listener) {
    Path dir = socket.toAbsolutePath().getParent();
    SocketDirectory.checkExisting(dir, "listener " + listener + ": target " + Addresses.UNIX + socket);
  }
}

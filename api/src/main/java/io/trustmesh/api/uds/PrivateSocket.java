package io.trustmesh.api.uds;

import io.trustmesh.core.BadInputException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;

/**
 * A unix socket that nobody else can take over, swap or widen, for the server's admin API and the
 * agent's Workload API alike.
 *
 * <ol>
 *   <li>the socket's directory is created or checked ({@link SocketDirectory#prepare});
 *   <li>a live server already answering on the path is refused; a stale socket of this user that
 *       nobody answers on is removed; anything that is not a socket, or is another user's, is left
 *       alone and refused;
 *   <li>the server binds inside a fresh 0700 directory only this process can enter, the socket gets
 *       its mode there (no chmod ever goes through a path someone else could swap), and it is
 *       hard-linked into place, which fails rather than replace a socket another start put there
 *       meanwhile.
 * </ol>
 *
 * <pre>{@code
 * PrivateSocket s = PrivateSocket.bind(path, SocketDirectory.PRIVATE, "rw-------", "--admin-socket",
 *     at -> { Server g = builderFor(at).build().start(); return g::shutdownNow; });
 * }</pre>
 *
 * {@link #close()} removes the socket only while it is still the one bound here.
 */
public final class PrivateSocket implements AutoCloseable {
  /** Binds a server on {@code at} and returns how to stop it again if the socket cannot be put in place. */
  @FunctionalInterface
  public interface Binder {
    AutoCloseable bind(Path at) throws IOException;
  }

  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path path;
  private final Object fileKey;

  private PrivateSocket(Path path, Object fileKey) {
    this.path = path;
    this.fileKey = fileKey;
  }

  /**
   * @param socket where clients will connect
   * @param directoryMode the mode of the socket's directory if it has to be created
   * @param socketMode e.g. {@code rw-------} (admin) or {@code rw-rw-rw-} (Workload API)
   * @param option the option that names the path, for the error lines ({@code --admin-socket})
   */
  public static PrivateSocket bind(Path socket, Set<PosixFilePermission> directoryMode, String socketMode,
      String option, Binder binder) {
    Path name = socket.getFileName();
    if (name == null || socket.toAbsolutePath().getParent() == null) {
      throw new BadInputException(option + " must name a socket file, not " + socket);
    }
    Path dir = SocketDirectory.prepare(socket.toAbsolutePath().getParent(), directoryMode);
    Path target = dir.resolve(name);
    removeStale(target, option);
    Path privateDir;
    try {
      privateDir = privateDirectory(dir);
    } catch (IOException e) {
      throw new BadInputException("cannot bind " + target + ": " + e.getMessage());
    }
    Path bound = privateDir.resolve("s");
    AutoCloseable server = null;
    try {
      server = binder.bind(bound);
      Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString(socketMode));
      Files.createLink(target, bound);
      Object key = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
      return new PrivateSocket(target, key);
    } catch (FileAlreadyExistsException e) {
      stopQuietly(server);
      throw new BadInputException("another process bound " + target + " while this one was starting;"
          + " stop it first or choose another " + option);
    } catch (IOException e) {
      stopQuietly(server);
      throw new BadInputException("cannot bind " + target + ": " + e.getMessage());
    } catch (RuntimeException e) {
      stopQuietly(server);
      throw e;
    } finally {
      deleteQuietly(bound);
      deleteQuietly(privateDir);
    }
  }

  /** The socket's real path, inside the checked directory: what clients should be told. */
  public Path path() {
    return path;
  }

  /** Removes the socket if it is still the one this process bound (never a successor's). */
  @Override
  public void close() {
    try {
      BasicFileAttributes now = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (Objects.equals(now.fileKey(), fileKey)) {
        Files.deleteIfExists(path);
      }
    } catch (IOException gone) {
      // already removed
    }
  }

  /**
   * The checks of {@link #bind} that need no server yet: the directory (created if missing) and no
   * live server on the path. Call it before a start creates anything else, so that a refusal leaves
   * nothing behind; {@link #bind} checks again when it binds.
   */
  public static void preflight(Path socket, Set<PosixFilePermission> directoryMode, String option) {
    Path parent = socket.toAbsolutePath().getParent();
    if (socket.getFileName() == null || parent == null) {
      throw new BadInputException(option + " must name a socket file, not " + socket);
    }
    Path target = SocketDirectory.prepare(parent, directoryMode).resolve(socket.getFileName());
    if (answers(target)) {
      throw new BadInputException("a server is already listening on " + target
          + "; stop it first or choose another " + option);
    }
  }

  /** Whether a server accepts connections on {@code socket} now. */
  public static boolean answers(Path socket) {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void removeStale(Path target, String option) {
    int mode;
    try {
      mode = (Integer) Files.getAttribute(target, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.NoSuchFileException absent) {
      return;
    } catch (IOException e) {
      throw new BadInputException("cannot inspect " + target + ": " + e.getMessage());
    }
    if ((mode & S_IFMT) != S_IFSOCK) {
      throw new BadInputException(target + " exists and is not a socket; remove it or choose another " + option);
    }
    int owner;
    try {
      owner = (Integer) Files.getAttribute(target, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new BadInputException("cannot inspect " + target + ": " + e.getMessage());
    }
    int me = SocketDirectory.currentUid();
    if (owner != me) {
      // Only a stale socket of ours is replaced: another user's (root put it there) is not ours to judge.
      throw new BadInputException(target + " is a socket of uid " + owner + ", not of this user (uid " + me
          + "); remove it or choose another " + option);
    }
    if (answers(target)) {
      throw new BadInputException("a server is already listening on " + target
          + "; stop it first or choose another " + option);
    }
    try {
      Files.deleteIfExists(target);
    } catch (IOException e) {
      throw new BadInputException("cannot remove the stale socket " + target + ": " + e.getMessage());
    }
  }

  /** A fresh 0700 directory with a short name (a socket path has at most 107 bytes). */
  private static Path privateDirectory(Path parent) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Path dir = parent.resolve(".tm-" + HexFormat.of().toHexDigits(RANDOM.nextInt()).substring(0, 6));
      try {
        return Files.createDirectory(dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (FileAlreadyExistsException e) {
        if (attempt == 10) {
          throw e;
        }
      }
    }
  }

  private static void stopQuietly(AutoCloseable server) {
    if (server == null) {
      return;
    }
    try {
      server.close();
    } catch (Exception ignored) {
      // already failing; the first error is the one to report
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // best effort: a leftover empty 0700 directory harms nobody
    }
  }
}

package io.trustmesh.api.uds;

import io.trustmesh.core.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The directory a unix socket lives in, checked so that no other local user can take the socket,
 * swap it or read through it.
 *
 * <p>A socket's directory must be owned by the running user or root and writable by nobody else;
 * every ancestor likewise, except that an ancestor may be a sticky world-writable directory such as
 * {@code /tmp} (there nobody may rename or delete what another user made). The socket's own
 * directory may never be such a shared one: in {@code /tmp} anyone could have created
 * {@code /tmp/trustmesh} first, or plant a link where the socket is about to be.
 *
 * <pre>{@code
 * Path dir = SocketDirectory.prepare(Path.of("/run/trustmesh"), SocketDirectory.SHARED);
 * }</pre>
 *
 * Symbolic links on the way are resolved once, the real path is checked, and only the real path is
 * used afterwards: a link that someone swaps later no longer leads anywhere we write.
 */
public final class SocketDirectory {
  /** For a socket every local process may reach (the Workload API): {@code rwxr-xr-x}. */
  public static final Set<PosixFilePermission> SHARED = PosixFilePermissions.fromString("rwxr-xr-x");
  /** For a socket only this user may reach (the admin API): {@code rwx------}. */
  public static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

  private static final int ROOT = 0;

  private SocketDirectory() {}

  /**
   * Where this process keeps its sockets by default: {@code $XDG_RUNTIME_DIR/trustmesh}, or
   * {@code /run/trustmesh} as root, or else {@code $TMPDIR/trustmesh-UID} (checked like any other
   * directory, so a copy made by another user is refused, never used).
   */
  public static Path runtimeDirectory() {
    Optional<String> xdg = Optional.ofNullable(System.getenv("XDG_RUNTIME_DIR")).filter(s -> s.startsWith("/"));
    if (xdg.isPresent()) {
      return Path.of(xdg.get(), "trustmesh");
    }
    int uid = currentUid();
    if (uid == ROOT) {
      return Path.of("/run/trustmesh");
    }
    return Path.of(System.getProperty("java.io.tmpdir", "/tmp"), "trustmesh-" + uid);
  }

  /**
   * Creates {@code dir} with {@code modeIfCreated} when it is missing (missing ancestors 0755), then
   * checks it and its ancestors.
   *
   * @return the real path of the checked directory: bind there, never through the path given
   * @throws BadInputException naming the directory, its owner and mode, when another user could
   *     write it or one of its ancestors
   */
  public static Path prepare(Path dir, Set<PosixFilePermission> modeIfCreated) {
    Path abs = dir.toAbsolutePath().normalize();
    try {
      create(abs, modeIfCreated);
      Path real = abs.toRealPath();
      check(real);
      return real;
    } catch (IOException e) {
      throw new BadInputException("cannot use socket directory " + abs + ": " + e.getMessage());
    }
  }

  /**
   * Checks an existing directory as {@link #prepare} does, without creating it: the directory of a
   * socket someone else serves (a sidecar's upstream app), which must be there before we trust it.
   *
   * @return its real path
   * @throws BadInputException when it is missing, or another user could write it or an ancestor
   */
  public static Path checkExisting(Path dir, String what) {
    Path abs = dir.toAbsolutePath().normalize();
    try {
      Path real = abs.toRealPath();
      check(real);
      return real;
    } catch (NoSuchFileException e) {
      throw new BadInputException(what + ": socket directory " + abs + " does not exist");
    } catch (IOException e) {
      throw new BadInputException(what + ": cannot use socket directory " + abs + ": " + e.getMessage());
    } catch (BadInputException e) {
      throw new BadInputException(what + ": " + e.getMessage());
    }
  }

  /**
   * Checks where a socket that another process serves lies, before we connect to it and trust what
   * it says: the Workload API hands out identities and trust bundles, the admin API entries, tokens
   * and bundles. No other local user may have put a socket there, nor be able to swap it later:
   * <ul>
   *   <li>the socket's directory is writable by its owner alone, and every ancestor is as for
   *       {@link #prepare} (a sticky shared one such as {@code /tmp} allowed);
   *   <li>its owner is this user or root, or else its parent is writable by this user or root
   *       alone: an agent running as a user of its own in {@code /run/spire-agent} is fine, a
   *       {@code /tmp/trustmesh} that anyone could have made first is not;
   *   <li>a directory that does not exist yet (the server or agent is still starting) must be
   *       one that only this user or root could make: its nearest existing ancestor is theirs and
   *       writable by nobody else.
   * </ul>
   *
   * @param what names the socket in the error, such as {@code --workload-api unix:/run/agent.sock}
   * @return the socket under the real path of its directory when it exists: connect there
   * @throws BadInputException naming the directory, its owner and mode
   */
  public static Path checkServed(Path socket, String what) {
    Path abs = socket.toAbsolutePath().normalize();
    Path dir = abs.getParent();
    int me = currentUid();
    try {
      Path existing = dir;
      while (existing != null && !Files.exists(existing)) {
        existing = existing.getParent();
      }
      if (existing == null) {
        throw new BadInputException(what + ": no directory on the way to " + abs + " exists");
      }
      Path real = existing.toRealPath();
      if (!existing.equals(dir)) {
        Stat ancestor = Stat.of(real);
        if (!ancestor.ownedBy(me) || ancestor.writableByOthers()) {
          throw new BadInputException(what + ": socket directory " + dir + " does not exist, and " + real
              + " (" + ancestor + ") lets another user make it first");
        }
        checkAncestors(real, me, what + ": ");
        return abs;
      }
      Stat own = Stat.of(real);
      if (!own.directory()) {
        throw new BadInputException(what + ": socket directory " + real + " is not a directory");
      }
      if (own.writableByOthers()) {
        throw new BadInputException(what + ": socket directory " + real + " is writable by group or others ("
            + own + "): another user could swap the socket");
      }
      if (!own.ownedBy(me) && real.getParent() != null) {
        Stat parent = Stat.of(real.getParent());
        if (!parent.ownedBy(me) || parent.writableByOthers()) {
          throw new BadInputException(what + ": socket directory " + real + " belongs to another user (" + own
              + ") and lies in " + real.getParent() + " (" + parent + "), where anyone could have made it");
        }
      }
      checkAncestors(real, me, what + ": ");
      return real.resolve(abs.getFileName());
    } catch (IOException e) {
      throw new BadInputException(what + ": cannot check socket directory " + dir + ": " + e.getMessage());
    }
  }

  private static void create(Path dir, Set<PosixFilePermission> mode) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path parent = dir.getParent();
    if (parent != null) {
      create(parent, SHARED);
    }
    try {
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(mode));
      // The umask may have taken bits away; set exactly what was asked, on a directory we just made.
      Files.setPosixFilePermissions(dir, mode);
    } catch (java.nio.file.FileAlreadyExistsException raced) {
      // made meanwhile by someone else: the check below decides whether we may use it
    }
  }

  /** Refuses a socket directory (a real path) that another user could write, or whose ancestors they could. */
  static void check(Path real) throws IOException {
    int me = currentUid();
    Stat own = Stat.of(real);
    if (!own.directory()) {
      throw new BadInputException("socket directory " + real + " is not a directory");
    }
    if (!own.ownedBy(me)) {
      throw new BadInputException("socket directory " + real + " belongs to another user (" + own
          + "; this process runs as uid " + me + "): remove it, or choose a directory you or root own");
    }
    if (own.writableByOthers()) {
      throw new BadInputException("socket directory " + real + " is writable by group or others (" + own
          + "): a socket needs a directory only its owner can write");
    }
    checkAncestors(real, me, "");
  }

  /** Refuses {@code real} when one of its ancestors could be changed by another user. */
  private static void checkAncestors(Path real, int me, String prefix) throws IOException {
    for (Path up = real.getParent(); up != null; up = up.getParent()) {
      Stat a = Stat.of(up);
      if (!a.ownedBy(me) || (a.writableByOthers() && !a.sticky())) {
        throw new BadInputException(prefix + "socket directory " + real + " is inside " + up + " (" + a
            + "), which another user could change: choose a directory whose every parent is yours or root's");
      }
    }
  }

  /** Owner and mode of one path, the link itself when it is a link. */
  private record Stat(int uid, int mode, boolean directory) {
    static Stat of(Path p) throws IOException {
      Map<String, Object> a = Files.readAttributes(p, "unix:uid,mode,isDirectory", LinkOption.NOFOLLOW_LINKS);
      return new Stat((Integer) a.get("uid"), (Integer) a.get("mode"), (Boolean) a.get("isDirectory"));
    }

    boolean ownedBy(int me) {
      return uid == me || uid == ROOT;
    }

    boolean writableByOthers() {
      return (mode & 0022) != 0;
    }

    boolean sticky() {
      return (mode & 01000) != 0;
    }

    /** {@code owner uid 65534, mode 0755}. */
    @Override
    public String toString() {
      return "owner uid " + uid + ", mode " + String.format("%04o", mode & 07777);
    }
  }

  /** The real uid of this process. */
  public static int currentUid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read this process's uid from /proc/self: " + e.getMessage(), e);
    }
  }
}

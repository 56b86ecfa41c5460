package io.trustmesh.mesh.state;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.io.AtomicFiles;
import io.trustmesh.core.io.PrivateDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;

/**
 * The state directory of a local mesh ({@code ./.trustmesh} by default), laid out as
 * {@code MESH-STATE.md} says: {@code state.json}, {@code up.pid}, and the 0700 subdirectories
 * {@code server/}, {@code agent/}, {@code ca/}, {@code run/} (sockets) and {@code logs/}.
 *
 * <p>The directory is private (0700, this user's, under ancestors no other user can change; see
 * {@link PrivateDirectory}), checked before anything is read from or written to it: whoever could
 * swap a file in it could point {@code down} at their process or the sidecars at their bundle.
 *
 * <p>Whether a mesh runs here is decided by a lock, not by a pid alone: the supervising process
 * holds an exclusive lock on {@code up.lock} for its whole life, and the kernel drops it when that
 * process dies, however it dies. A live pid in a stale {@code state.json} (a reused pid) therefore
 * never makes a dead mesh look alive.
 */
public final class StateDirectory {
  public static final Path DEFAULT = Path.of(".trustmesh");
  static final String LOCK = "up.lock";
  static final String PID = "up.pid";
  /** What a fresh {@code up} replaces; {@code logs/} is kept until then so a failed start can be read. */
  private static final List<String> RUNTIME = List.of("server", "agent", "ca", "run");

  private final Path dir;

  private StateDirectory(Path dir) {
    this.dir = dir;
  }

  /** Creates {@code dir} 0700 or checks the existing one (ours, writable by no one else). */
  public static StateDirectory create(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    PrivateDirectory.ensure(abs, "state directory");
    return new StateDirectory(abs);
  }

  /** An existing state directory, checked as {@link #create}; empty when there is none. */
  public static Optional<StateDirectory> existing(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    PrivateDirectory.ensure(abs, "state directory");
    return Optional.of(new StateDirectory(abs));
  }

  public Path path() {
    return dir;
  }

  /** A private subdirectory, created 0700 when missing: {@code server}, {@code agent}, {@code ca}, {@code run}. */
  public Path privateSubdirectory(String name) {
    Path p = dir.resolve(name);
    PrivateDirectory.ensure(p, name + " directory");
    return p;
  }

  public Path logs() {
    return privateSubdirectory("logs");
  }

  public Path stateFile() {
    return dir.resolve(MeshState.FILE);
  }

  public Path pidFile() {
    return dir.resolve(PID);
  }

  /**
   * Takes the mesh's lock for this process; empty when another process holds it (a mesh runs or is
   * starting here). Hold the returned lock until the mesh is stopped.
   */
  public Optional<AutoCloseable> tryLock() {
    FileChannel ch = null;
    try {
      ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // held by this very JVM
      }
      if (lock == null) {
        ch.close();
        return Optional.empty();
      }
      FileChannel held = ch;
      FileLock l = lock;
      return Optional.of(() -> {
        l.release();
        held.close();
      });
    } catch (IOException e) {
      closeQuietly(ch);
      throw new BadInputException("cannot lock " + dir.resolve(LOCK) + ": " + e.getMessage());
    }
  }

  /** Whether a process holds the mesh's lock now (a mesh runs or is starting here). */
  public boolean locked() {
    Optional<AutoCloseable> probe = tryLock();
    probe.ifPresent(StateDirectory::closeQuietly);
    return probe.isEmpty();
  }

  /** Writes {@code up.pid} (0600) for people and scripts; the lock is what decides. */
  public void writePid(long pid) {
    AtomicFiles.write(pidFile(), (pid + "\n").getBytes(StandardCharsets.UTF_8), true);
  }

  /**
   * Removes what a mesh run leaves: {@code state.json}, {@code up.pid}, and the server, agent, CA
   * and socket directories (fresh ones are made by the next {@code up}). Call it only while holding
   * the lock. Never follows a symbolic link: a link is removed, not what it points to.
   */
  public void clearRun() {
    deleteIfExists(stateFile());
    deleteIfExists(pidFile());
    for (String name : RUNTIME) {
      deleteTree(dir.resolve(name));
    }
  }

  /** Empties {@code logs/} before a new run, so that counts and tails start from zero. */
  public void clearLogs() {
    deleteTree(dir.resolve("logs"));
  }

  private static void deleteIfExists(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + p + ": " + e.getMessage(), e);
    }
  }

  /** Deletes a tree without following links (walkFileTree does not follow them by default). */
  static void deleteTree(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
          if (exc instanceof NoSuchFileException) {
            return FileVisitResult.CONTINUE;
          }
          throw exc;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + root + ": " + e.getMessage(), e);
    }
  }

  static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      // nothing left to do
    }
  }
}

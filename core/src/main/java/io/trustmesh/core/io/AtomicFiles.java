package io.trustmesh.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes files so that a reader (or a crash) never sees half of one: write a temporary file in the
 * same directory, fsync it, rename it over the target, fsync the directory. Secrets are created
 * with mode 0600 from the start, never chmod-ed afterwards.
 *
 * <p>{@link #writeAll(Map)} extends this to several files that belong together (a certificate and
 * its key): every temporary is written first, and only when all succeeded are they renamed, so a
 * failure leaves the previous set in place and no stray temporaries behind.
 */
public final class AtomicFiles {
  private static final Set<PosixFilePermission> SECRET = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");

  /** One file to write: its content and whether it is a secret (mode 0600). */
  public record Content(byte[] bytes, boolean secret) {
    public static Content secret(byte[] bytes) {
      return new Content(bytes, true);
    }

    public static Content open(byte[] bytes) {
      return new Content(bytes, false);
    }
  }

  private AtomicFiles() {}

  public static void write(Path target, byte[] bytes, boolean secret) {
    Map<Path, Content> one = new LinkedHashMap<>();
    one.put(target, new Content(bytes, secret));
    writeAll(one);
  }

  /** Writes every file or, on failure, none of them (targets keep their previous contents). */
  public static void writeAll(Map<Path, Content> files) {
    List<Path[]> staged = new ArrayList<>();
    try {
      for (Map.Entry<Path, Content> e : files.entrySet()) {
        Path target = e.getKey().toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path tmp = createTemp(dir, target.getFileName().toString(), e.getValue().secret());
        staged.add(new Path[] {tmp, target});
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
          ByteBuffer buf = ByteBuffer.wrap(e.getValue().bytes());
          while (buf.hasRemaining()) {
            ch.write(buf);
          }
          ch.force(true);
        }
      }
      for (Path[] s : staged) {
        move(s[0], s[1]);
      }
      for (Path[] s : staged) {
        fsyncDirectory(s[1].getParent());
      }
    } catch (IOException e) {
      for (Path[] s : staged) {
        try {
          Files.deleteIfExists(s[0]);
        } catch (IOException ignored) {
          // best effort: the original error is the one worth reporting
        }
      }
      throw new UncheckedIOException("cannot write " + e.getMessage(), e);
    }
  }

  private static Path createTemp(Path dir, String name, boolean secret) throws IOException {
    Set<PosixFilePermission> perms = secret ? SECRET : PUBLIC;
    boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    for (int attempt = 0; ; attempt++) {
      Path tmp = dir.resolve("." + name + ".tmp-" + Long.toHexString(System.nanoTime() ^ attempt));
      try {
        if (posix) {
          FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(perms);
          Files.createFile(tmp, attr);
          Files.setPosixFilePermissions(tmp, perms); // the umask may have narrowed or widened it
        } else {
          Files.createFile(tmp);
        }
        return tmp;
      } catch (FileAlreadyExistsException e) {
        if (attempt > 10) {
          throw e;
        }
      }
    }
  }

  private static void move(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void fsyncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // Some file systems cannot open a directory for fsync; the rename is still atomic.
    }
  }
}

package io.trustmesh.server.datastore;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.io.FileOwnership;
import io.trustmesh.core.io.PrivateDirectory;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes an SQLite database and its companion files ({@code -wal}, {@code -shm}, {@code -journal})
 * owner-only (0600) from their creation, although the JVM cannot set a umask.
 *
 * <p>SQLite's unix VFS creates the {@code -wal}, {@code -journal} and {@code -shm} files with the
 * permission bits of the database file itself (see {@code findCreateFileMode} and
 * {@code unixOpenSharedMemory} in {@code os_unix.c}). So the database file is created here, empty
 * (which SQLite accepts as a new database), with mode 0600 and {@code O_EXCL} before SQLite opens
 * it, inside a directory only this user may enter. Files left by an earlier version with wider
 * modes are narrowed to 0600: the directory is ours alone, so no one can swap them in between.
 */
public final class SqliteFiles {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteFiles.class);
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private SqliteFiles() {}

  /** Every file SQLite may create for {@code database}, the database first. */
  public static List<Path> all(Path database) {
    Path abs = database.toAbsolutePath();
    return List.of(abs, companion(abs, "-wal"), companion(abs, "-shm"), companion(abs, "-journal"));
  }

  private static Path companion(Path database, String suffix) {
    return database.resolveSibling(database.getFileName() + suffix);
  }

  /** Creates the database file 0600 (its directory 0700) or narrows existing files to 0600. */
  static void prepare(Path database) {
    Path abs = database.toAbsolutePath();
    if (PrivateDirectory.ensure(abs.getParent(), "datastore directory") == PrivateDirectory.Outcome.NARROWED) {
      LOG.warn("datastore directory {} was readable by others; narrowed it to 0700", abs.getParent());
    }
    try {
      try {
        Files.createFile(abs, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      } catch (FileAlreadyExistsException existing) {
        // An existing datastore: checked below with its companions.
      }
      for (Path f : all(abs)) {
        if (Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
          ownerOnly(f);
        }
      }
    } catch (IOException e) {
      throw new BadInputException("cannot create datastore " + abs + ": " + e.getMessage());
    }
  }

  private static void ownerOnly(Path f) throws IOException {
    FileOwnership o = FileOwnership.of(f);
    if (o.symbolicLink() || !Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
      throw new BadInputException("datastore file " + f + " is not a regular file; refusing to open it");
    }
    if (!o.ownedBy(FileOwnership.currentUid())) {
      throw new BadInputException("datastore file " + f + " belongs to someone else (" + o.describe()
          + "); refusing to open it");
    }
    if (o.readableOrWritableByGroupOrOthers() || (o.mode() & 0111) != 0) {
      Files.setPosixFilePermissions(f, OWNER_ONLY);
      LOG.warn("datastore file {} had mode {} (an earlier version's default); narrowed it to 0600", f,
          String.format("%04o", o.mode()));
    }
  }
}

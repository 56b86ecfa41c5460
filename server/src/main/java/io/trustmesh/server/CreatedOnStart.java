package io.trustmesh.server;

import io.trustmesh.server.datastore.JdbcDataStore;
import io.trustmesh.server.datastore.SqliteFiles;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state a server start is about to create (data directory, SQLite datastore and its companion
 * files, key directory), noted before the start so that a start that fails (a port taken, a bad
 * upstream) removes exactly what it made and nothing an earlier run left.
 */
final class CreatedOnStart {
  private static final Logger LOG = LoggerFactory.getLogger(CreatedOnStart.class);
  private final List<Path> absentBefore = new ArrayList<>();

  private CreatedOnStart() {}

  /** Notes which of the server's state paths do not exist yet. */
  static CreatedOnStart note(ServerConfig config) {
    CreatedOnStart c = new CreatedOnStart();
    List<Path> candidates = new ArrayList<>();
    candidates.add(config.dataDir.toAbsolutePath());
    JdbcDataStore.sqliteFile(config.datastore, config.dataDir).ifPresent(db -> candidates.addAll(SqliteFiles.all(db)));
    candidates.add(config.dataDir.toAbsolutePath().resolve(TrustmeshServer.KEY_DIRECTORY));
    for (Path p : candidates) {
      if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        c.absentBefore.add(p);
      }
    }
    return c;
  }

  /** Deletes what did not exist before the start; deepest first, a directory with its contents. */
  void remove() {
    for (int i = absentBefore.size() - 1; i >= 0; i--) {
      Path p = absentBefore.get(i);
      try {
        deleteTree(p);
      } catch (IOException e) {
        LOG.warn("cannot remove {} after the failed start: {}", p, e.toString());
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}

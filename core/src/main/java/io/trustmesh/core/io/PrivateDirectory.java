package io.trustmesh.core.io;

import io.trustmesh.core.BadInputException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A directory only this user may enter (mode 0700), for state another local user must neither read
 * nor replace: the server's data directory, its key directory.
 *
 * <p>A missing directory is created with mode 0700 from the start. An existing one is accepted only
 * when this user owns it and neither group nor others may write to it, and so may each of its
 * ancestors unless the ancestor is root's or sticky ({@code /tmp}): whoever can write to a directory
 * can swap what is in it, so a later chmod or open through that path could land on their file.
 * The check never changes a directory it refuses; one it accepts that others may read or enter (an
 * earlier version made them 0755) is narrowed to 0700.
 *
 * <pre>{@code
 * PrivateDirectory.Outcome o = PrivateDirectory.ensure(Path.of("/var/lib/trustmesh/server"), "data directory");
 * }</pre>
 */
public final class PrivateDirectory {
  private static final int ROOT = 0;

  /**
   * What {@link #ensure} did: made the directory now (so a failed start may remove it again), found
   * it private, or found it ours but readable by others (an earlier version's 0755) and narrowed it
   * to 0700 (the caller logs that).
   */
  public enum Outcome { CREATED, EXISTED, NARROWED }

  private PrivateDirectory() {}

  /**
   * Creates {@code dir} (and missing parents) or checks the existing one; {@code what} names it in
   * the one-line refusal, e.g. {@code data directory}.
   */
  public static Outcome ensure(Path dir, String what) {
    Path abs = dir.toAbsolutePath().normalize();
    int me = FileOwnership.currentUid();
    try {
      checkAncestors(abs, what, me);
      if (!Files.exists(abs, LinkOption.NOFOLLOW_LINKS)) {
        try {
          Files.createDirectories(abs.getParent());
          Files.createDirectory(abs, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
          return Outcome.CREATED;
        } catch (FileAlreadyExistsException raced) {
          // Someone made it between our look and our create: judge what is there now.
        }
      }
      FileOwnership existing = FileOwnership.of(abs);
      check(existing, what, me);
      if ((existing.mode() & 0077) != 0) {
        // Ours, writable by no one else, under ancestors no one else can change: nothing can swap it.
        Files.setPosixFilePermissions(abs, PosixFilePermissions.fromString("rwx------"));
        return Outcome.NARROWED;
      }
      return Outcome.EXISTED;
    } catch (IOException e) {
      throw new BadInputException("cannot create " + what + " " + dir + ": " + e.getMessage());
    }
  }

  /** Refuses {@code existing} unless it is a real directory of this user that no one else may write. */
  static void check(FileOwnership existing, String what, int me) {
    if (existing.symbolicLink() || !existing.directory()) {
      throw new BadInputException(what + " " + existing.path() + " is not a directory"
          + (existing.symbolicLink() ? " (a symbolic link)" : "") + "; refusing to use it");
    }
    if (!existing.ownedBy(me)) {
      throw new BadInputException(what + " " + existing.path() + " belongs to someone else ("
          + existing.describe() + "; we are uid " + me + "); refusing to use it");
    }
    if (existing.writableByGroupOrOthers()) {
      throw new BadInputException(what + " " + existing.path() + " is writable by group or others ("
          + existing.describe() + "); refusing to use it: make it 0700");
    }
  }

  private static void checkAncestors(Path abs, String what, int me) throws IOException {
    for (Path p = abs.getParent(); p != null; p = p.getParent()) {
      if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      FileOwnership a = FileOwnership.of(p.toRealPath());
      boolean trustedOwner = a.ownedBy(me) || a.ownedBy(ROOT);
      if (!trustedOwner || (a.writableByGroupOrOthers() && !a.sticky())) {
        throw new BadInputException("the parent " + p + " of " + what + " " + abs + " can be changed by another user ("
            + a.describe() + "); refusing to use it");
      }
    }
  }
}

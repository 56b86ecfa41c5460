package io.trustmesh.core.io;

import io.trustmesh.core.BadInputException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Files a process takes its identity or its trust anchors from: a certificate, a trust bundle, the
 * directory that holds them. Whoever may write one of them decides whom we trust (a CA swapped into
 * a bundle admits every certificate it signs), so each must belong to this user or root and be
 * writable by no one else, like the directory it sits in. Private keys are stricter still: see
 * {@link SecretFiles#requireOwnerOnly}.
 *
 * <pre>{@code
 * TrustedFiles.requireUnwritableByOthers(Path.of("svid/svid_bundle.pem"), "trust bundle");
 * }</pre>
 */
public final class TrustedFiles {
  private static final int ROOT = 0;

  private TrustedFiles() {}

  /**
   * Refuses {@code file} ({@code what} names it in the one-line refusal) when it, or the directory
   * it is in, belongs to another user or may be written by group or others. Links are resolved
   * first: the file that is read is the one judged.
   */
  public static void requireUnwritableByOthers(Path file, String what) {
    Path real;
    try {
      real = file.toRealPath();
    } catch (NoSuchFileException e) {
      throw new BadInputException(what + " not found: " + file);
    } catch (IOException e) {
      throw new BadInputException("cannot read " + what + " " + file + ": " + e.getMessage());
    }
    judge(real, what + " " + file);
    if (real.getParent() != null) {
      judge(real.getParent(), "the directory " + real.getParent() + " of " + what + " " + file);
    }
  }

  private static void judge(Path real, String described) {
    FileOwnership o;
    try {
      o = FileOwnership.of(real);
    } catch (IOException e) {
      throw new BadInputException("cannot read " + described + ": " + e.getMessage());
    }
    int me = FileOwnership.currentUid();
    if (!o.ownedBy(me) && !o.ownedBy(ROOT)) {
      throw new BadInputException(described + " belongs to another user (" + o.describe() + "; we are uid " + me
          + "): whoever owns it decides whom this process trusts; refusing to use it");
    }
    boolean stickyDirectory = o.directory() && o.sticky();
    if (o.writableByGroupOrOthers() && !stickyDirectory) {
      throw new BadInputException(described + " is writable by group or others (" + o.describe()
          + "): anyone who can write it decides whom this process trusts; refusing to use it: chmod go-w");
    }
  }
}

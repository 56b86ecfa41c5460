package io.trustmesh.core.io;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Who owns a file and who else may touch it, read with {@code lstat} (a symbolic link is reported as
 * itself, never followed). The numbers come from the {@code unix} attribute view, so the checks see
 * the set-id and sticky bits that the POSIX view drops.
 */
public record FileOwnership(Path path, int uid, int mode, boolean directory, boolean symbolicLink) {
  private static final int GROUP_OTHER_WRITE = 0022;
  private static final int GROUP_OTHER_READ_WRITE = 0066;
  private static final int STICKY = 01000;

  /** The uid of this process. */
  public static int currentUid() {
    return (int) new UnixSystem().getUid();
  }

  /** The file's owner and mode, without following a symbolic link at {@code path}. */
  public static FileOwnership of(Path path) throws IOException {
    int uid = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    return new FileOwnership(path, uid, mode & 07777, Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS),
        Files.isSymbolicLink(path));
  }

  public boolean ownedBy(int expectedUid) {
    return uid == expectedUid;
  }

  public boolean writableByGroupOrOthers() {
    return (mode & GROUP_OTHER_WRITE) != 0;
  }

  public boolean readableOrWritableByGroupOrOthers() {
    return (mode & GROUP_OTHER_READ_WRITE) != 0;
  }

  public boolean sticky() {
    return (mode & STICKY) != 0;
  }

  /** {@code owner uid 1000, mode 0755}: the words every refusal uses. */
  public String describe() {
    return "owner uid " + uid + ", mode " + String.format("%04o", mode);
  }
}

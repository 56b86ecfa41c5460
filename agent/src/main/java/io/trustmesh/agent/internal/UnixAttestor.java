package io.trustmesh.agent.internal;

import io.netty.channel.unix.PeerCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Workload attestation from unix peer credentials: {@code unix:uid:N}, {@code unix:gid:N} (every
 * group of the process), {@code unix:pid:N}, and from {@code /proc/PID/exe} the executable's
 * {@code unix:path:/abs/path} and {@code unix:sha256:HEX}.
 */
public final class UnixAttestor {
  private UnixAttestor() {}

  /**
   * The selectors of a caller: uid, gids and pid from SO_PEERCRED, groups from {@code /proc}, and the
   * executable as pinned in {@code process} (checked unchanged by the caller before and after this).
   */
  public static Set<String> selectors(PeerCredentials creds, PeerProcess process) {
    Set<String> out = new LinkedHashSet<>();
    out.add("unix:uid:" + creds.uid());
    for (int gid : creds.gids()) {
      out.add("unix:gid:" + gid);
    }
    out.add("unix:pid:" + creds.pid());
    Path proc = Path.of("/proc", Integer.toString(creds.pid()));
    try {
      for (String line : Files.readAllLines(proc.resolve("status"))) {
        if (line.startsWith("Groups:")) {
          for (String g : line.substring("Groups:".length()).trim().split("\\s+")) {
            if (!g.isEmpty()) {
              out.add("unix:gid:" + g);
            }
          }
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // the process may have exited; uid/pid selectors still stand
    }
    if (process.exe().isEmpty()) {
      return out;
    }
    try {
      out.add("unix:path:" + process.exe());
      out.add("unix:sha256:" + sha256(proc.resolve("exe")));
    } catch (IOException | RuntimeException ignored) {
      // not readable (another user's process without privileges): path selectors do not match
    }
    return out;
  }

  private static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

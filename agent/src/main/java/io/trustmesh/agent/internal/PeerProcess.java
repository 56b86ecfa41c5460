package io.trustmesh.agent.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Who a unix-socket peer process is, read from {@code /proc/PID}: its effective uid and gid, its pid,
 * the executable it runs and its start time (field 22 of {@code /proc/PID/stat}, in clock ticks
 * since boot).
 *
 * <p>Read once when a Workload API connection is accepted and again at every call: a process that
 * connected and then exec'd another binary (or handed the connection to a child and exec'd) keeps
 * its pid but not its executable, and a pid reused by a new process has a new start time. Either
 * way the two reads differ and the call is refused.
 */
public record PeerProcess(int pid, int uid, int gid, String exe, long startTime) {
  /** The process now, or empty when it has exited (or /proc cannot be read). */
  public static Optional<PeerProcess> read(int pid) {
    Path proc = Path.of("/proc", Integer.toString(pid));
    try {
      long start = startTime(Files.readString(proc.resolve("stat")));
      int uid = -1;
      int gid = -1;
      for (String line : Files.readAllLines(proc.resolve("status"))) {
        if (line.startsWith("Uid:")) {
          uid = effective(line);
        } else if (line.startsWith("Gid:")) {
          gid = effective(line);
        }
      }
      String exe;
      try {
        exe = Files.readSymbolicLink(proc.resolve("exe")).toString();
      } catch (IOException unreadable) {
        exe = ""; // another user's process without privileges: no path selectors, but still pinned
      }
      // Read the start time again: if the pid was reused while we read, the two differ.
      if (start != startTime(Files.readString(proc.resolve("stat")))) {
        return Optional.empty();
      }
      return Optional.of(new PeerProcess(pid, uid, gid, exe, start));
    } catch (IOException | RuntimeException gone) {
      return Optional.empty();
    }
  }

  /**
   * Field 22 of {@code /proc/PID/stat}. Field 2 (the command name, in parentheses) may itself hold
   * spaces and parentheses, so counting starts after the last ')'.
   */
  static long startTime(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("unexpected /proc stat format: " + stat);
    }
    String[] rest = stat.substring(close + 1).trim().split("\\s+");
    // rest[0] is field 3 (state), so field 22 is rest[19].
    return Long.parseLong(rest[22 - 3]);
  }

  /** The effective id: the second of the four numbers on a {@code Uid:} or {@code Gid:} line. */
  private static int effective(String line) {
    String[] f = line.substring(4).trim().split("\\s+");
    return Integer.parseInt(f[1]);
  }

  @Override
  public String toString() {
    return "pid " + pid + " uid " + uid + " gid " + gid + " exe " + (exe.isEmpty() ? "(unreadable)" : exe)
        + " started at tick " + startTime;
  }
}

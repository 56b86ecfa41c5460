package io.trustmesh.it.control;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Two "clusters" on one host, each in a Linux network namespace of its own, joined by one veth
 * pair: cluster A is {@link #addressA()} and cluster B {@link #addressB()}, two addresses of a /30
 * in 10.0.0.0/8 that exist only inside the namespaces (the host's own network never sees them). Each
 * namespace also has its own loopback, so a server listening on 127.0.0.1 in A is unreachable from
 * B. Processes are started inside with {@code ip netns exec}; {@link #cut()} takes the link down
 * ({@code ip link set ... down}) and {@link #restore()} brings it back.
 *
 * <p>Names carry this JVM's pid and a random suffix, so runs never collide, and {@link #create()}
 * first deletes namespaces left by test JVMs that are gone (a crashed run). {@link #close()}
 * stops every process started here, then deletes both namespaces (and with them the veth pair).
 *
 * <p>Creating namespaces needs root (CI runs as root). Without it the test is aborted with the
 * reason, unless {@code CI} is set: then it fails, so CI never skips it silently.
 */
final class ClusterNetwork implements AutoCloseable {
  private static final String PREFIX = "tm-it-";
  final String nsA;
  final String nsB;
  private final String linkA;
  private final String linkB;
  private final String subnet;
  private final List<Process> processes = new ArrayList<>();

  private ClusterNetwork(String id, String subnet) {
    this.nsA = PREFIX + id + "-a";
    this.nsB = PREFIX + id + "-b";
    // Interface names are at most 15 characters.
    String tag = id.substring(id.lastIndexOf('-') + 1);
    this.linkA = "tma" + tag;
    this.linkB = "tmb" + tag;
    this.subnet = subnet;
  }

  /** Creates both namespaces and the link, or aborts (fails in CI) saying why it cannot. */
  static ClusterNetwork create() {
    removeLeftovers();
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String id = ProcessHandle.current().pid() + "-" + Integer.toHexString(r.nextInt(0x100000, 0x1000000));
    String subnet = "10." + r.nextInt(1, 255) + "." + r.nextInt(0, 256) + ".";
    ClusterNetwork n = new ClusterNetwork(id, subnet);
    try {
      n.setUp();
      return n;
    } catch (IOException | RuntimeException e) {
      n.close();
      String why = "cannot create Linux network namespaces (ip netns add needs root and iproute2): " + e.getMessage();
      if (System.getenv("CI") != null) {
        fail(why + " — in CI the multi-cluster and federation tests must run (.ci/run runs as root)");
      }
      Assumptions.abort(why + " — skipping the network-namespace test (run as root to include it)");
      throw new AssertionError("unreachable");
    }
  }

  private void setUp() throws IOException {
    ip("netns", "add", nsA);
    ip("netns", "add", nsB);
    ip("link", "add", linkA, "netns", nsA, "type", "veth", "peer", "name", linkB, "netns", nsB);
    ip("-n", nsA, "addr", "add", addressA() + "/30", "dev", linkA);
    ip("-n", nsB, "addr", "add", addressB() + "/30", "dev", linkB);
    for (String ns : List.of(nsA, nsB)) {
      ip("-n", ns, "link", "set", "lo", "up");
    }
    ip("-n", nsA, "link", "set", linkA, "up");
    ip("-n", nsB, "link", "set", linkB, "up");
  }

  /** Cluster A's address on the link (inside namespace A only). */
  String addressA() {
    return subnet + "1";
  }

  /** Cluster B's address on the link (inside namespace B only). */
  String addressB() {
    return subnet + "2";
  }

  /** Takes the link between the clusters down (both ends, as a failed cable would). */
  void cut() throws IOException {
    ip("-n", nsA, "link", "set", linkA, "down");
    ip("-n", nsB, "link", "set", linkB, "down");
  }

  /** Brings the link back up. */
  void restore() throws IOException {
    ip("-n", nsA, "link", "set", linkA, "up");
    ip("-n", nsB, "link", "set", linkB, "up");
  }

  /** Starts {@code command} inside namespace {@code ns}, output to {@code log}; stopped by {@link #close()}. */
  Process start(String ns, Path log, List<String> command) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    cmd.addAll(command);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    synchronized (processes) {
      processes.add(p);
    }
    return p;
  }

  /** Runs {@code command} inside {@code ns} to its end (at most 20 s) and returns its standard output. */
  String run(String ns, String... command) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    cmd.addAll(List.of(command));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        return "timed out";
      }
      return new String(out, StandardCharsets.UTF_8);
    } finally {
      p.destroyForcibly();
    }
  }

  /** {@code java -jar trustmesh.jar ARGS} as a command line. */
  static List<String> trustmesh(String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", System.getProperty("trustmesh.jar")));
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static void ip(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(String.join(" ", cmd) + ": " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + String.join(" ", cmd), e);
    } finally {
      p.destroyForcibly();
    }
  }

  /** Deletes namespaces named by this fixture whose test JVM no longer runs. */
  private static void removeLeftovers() {
    Path dir = Path.of("/run/netns");
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (var names = Files.list(dir)) {
      for (Path p : names.toList()) {
        String name = p.getFileName().toString();
        if (!name.startsWith(PREFIX)) {
          continue;
        }
        String pid = name.substring(PREFIX.length()).split("-")[0];
        if (pid.chars().allMatch(Character::isDigit) && ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
          killAll(name);
          ip("netns", "del", name);
        }
      }
    } catch (IOException e) {
      // best effort: unique names keep a leftover from breaking this run
    }
  }

  /** Kills whatever still runs in {@code ns} (a leftover keeps a deleted namespace alive otherwise). */
  private static void killAll(String ns) throws IOException {
    Process p = new ProcessBuilder("ip", "netns", "pids", ns).redirectErrorStream(true).start();
    for (String pid : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\\s+")) {
      if (!pid.isEmpty() && pid.chars().allMatch(Character::isDigit)) {
        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  @Override
  public void close() {
    synchronized (processes) {
      for (Process p : processes) {
        p.destroy();
      }
      for (Process p : processes) {
        try {
          if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          p.destroyForcibly();
        }
      }
    }
    for (String ns : List.of(nsA, nsB)) {
      try {
        killAll(ns);
        ip("netns", "del", ns);
      } catch (IOException e) {
        // not created, or already gone
      }
    }
  }
}

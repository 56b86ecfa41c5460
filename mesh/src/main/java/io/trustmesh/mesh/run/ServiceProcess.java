package io.trustmesh.mesh.run;

import io.trustmesh.core.BadInputException;
import io.trustmesh.mesh.state.MeshState;
import java.io.IOException;
import io.trustmesh.proxy.Addresses;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A service's own process, started by {@code up} from the mesh file's {@code command}, its output
 * appended to {@code logs/NAME.log}. {@link #close()} stops it and whatever it started: SIGTERM, then
 * SIGKILL after a grace period.
 */
final class ServiceProcess implements AutoCloseable {
  static final Duration GRACE = Duration.ofSeconds(5);

  private final String name;
  private final Process process;
  private final List<String> command;
  private final Path log;

  private ServiceProcess(String name, Process process, List<String> command, Path log) {
    this.name = name;
    this.process = process;
    this.command = command;
    this.log = log;
  }

  static ServiceProcess start(String name, List<String> command, Path workDir, Path log, Map<String, String> env) {
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.environment().putAll(env);
    try {
      return new ServiceProcess(name, pb.start(), List.copyOf(command), log);
    } catch (IOException e) {
      throw new BadInputException("cannot start service " + name + " (" + String.join(" ", command) + "): "
          + e.getMessage());
    }
  }

  /**
   * Waits until {@code address} (TCP or a unix socket) accepts a connection; fails with the tail of
   * the service's log when the process ends first or the deadline passes.
   */
  void awaitListening(SocketAddress address, Duration timeout) throws InterruptedException {
    String where = Addresses.describe(address);
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      if (!process.isAlive()) {
        throw new BadInputException("service " + name + " exited with status " + process.exitValue()
            + " before listening on " + where + "; its log " + log + " ends with: " + tail());
      }
      try {
        probe(address);
        return;
      } catch (IOException e) {
        if (Instant.now().isAfter(deadline)) {
          throw new BadInputException("service " + name + " does not listen on " + where + " after "
              + timeout.toSeconds() + "s; its log " + log + " ends with: " + tail());
        }
        Thread.sleep(100); // polling a port that is not open yet; nothing to wait on instead
      }
    }
  }

  private static void probe(SocketAddress address) throws IOException {
    if (address instanceof UnixDomainSocketAddress) {
      try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        ch.connect(address);
      }
      return;
    }
    try (Socket s = new Socket()) {
      s.connect(address, 500);
    }
  }

  /** The last non-empty line of the service's log, for error messages. */
  String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (!lines.get(i).isBlank()) {
          return lines.get(i).strip();
        }
      }
    } catch (IOException e) {
      // fall through
    }
    return "(nothing)";
  }

  boolean alive() {
    return process.isAlive();
  }

  MeshState.ProcessInfo info() {
    String start = process.toHandle().info().startInstant().map(Instant::toString).orElse(null);
    return new MeshState.ProcessInfo(process.pid(), start, command);
  }

  @Override
  public void close() {
    stop(process.toHandle(), GRACE);
  }

  /** SIGTERM to the process and its descendants, SIGKILL to whatever is left after {@code grace}. */
  static void stop(ProcessHandle root, Duration grace) {
    stopAll(List.of(root), grace);
  }

  /** Stops several processes at once (one grace period for all, not one each). */
  static void stopAll(List<ProcessHandle> roots, Duration grace) {
    List<ProcessHandle> all = new ArrayList<>();
    for (ProcessHandle root : roots) {
      all.add(root);
      all.addAll(root.descendants().toList());
    }
    all.forEach(ProcessHandle::destroy);
    long end = System.nanoTime() + grace.toNanos();
    for (ProcessHandle p : all) {
      long left = end - System.nanoTime();
      try {
        if (left > 0) {
          p.onExit().get(left, TimeUnit.NANOSECONDS);
        }
      } catch (Exception e) {
        // still alive: killed below
      }
    }
    all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle p : all) {
      try {
        p.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        // SIGKILL cannot be refused; a zombie of another parent is not ours to reap
      }
    }
  }

  static void stopAll(Collection<ServiceProcess> processes) {
    stopAll(processes.stream().map(p -> p.process.toHandle()).toList(), GRACE);
  }
}

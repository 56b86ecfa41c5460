package io.trustmesh.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real child process (openssl, curl, the trustmesh jar) whose combined output is collected as it
 * arrives. Always {@link #close()} it (try-with-resources): that kills it if it is still running.
 */
final class Proc implements AutoCloseable {
  private final Process process;
  private final StringBuffer output = new StringBuffer();
  private final Thread reader;
  private final List<String> command;

  private Proc(List<String> command, Path dir) throws IOException {
    this.command = command;
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    process = pb.start();
    reader = new Thread(() -> drain(process.getInputStream()), "proc-reader");
    reader.setDaemon(true);
    reader.start();
  }

  static Proc start(Path dir, Object... command) throws IOException {
    List<String> cmd = new ArrayList<>();
    for (Object c : command) {
      cmd.add(String.valueOf(c));
    }
    return new Proc(cmd, dir);
  }

  /** Runs the trustmesh fat jar, as the launcher would. */
  static Proc trustmesh(Path dir, Object... args) throws IOException {
    List<Object> cmd = new ArrayList<>(List.of(javaBin(), "-jar", jar()));
    cmd.addAll(List.of(args));
    return start(dir, cmd.toArray());
  }

  /** Runs trustmesh to completion and asserts it succeeded. */
  static String trustmeshOk(Path dir, Object... args) throws Exception {
    try (Proc p = trustmesh(dir, args)) {
      int code = p.waitFor(120);
      assertThat(code).as(p.command + "\n" + p.output()).isZero();
      return p.output();
    }
  }

  /** What a finished command printed (stdout and stderr together) and its exit code. */
  record Finished(int exit, String out) {}

  /** Runs {@code cmd} to completion with {@code input} on its stdin; the test fails after 60 s. */
  static Finished run(List<String> cmd, String input) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(input.getBytes(StandardCharsets.UTF_8));
    }
    String out;
    try (InputStream o = p.getInputStream()) {
      out = new String(o.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(cmd + "\n" + out).isTrue();
    return new Finished(p.exitValue(), out);
  }

  /** Stops a started process: SIGTERM, then SIGKILL if it is still running after 10 s; null is ignored. */
  static void stop(Process p) throws InterruptedException {
    if (p != null) {
      p.destroy();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  static String jar() {
    String jar = System.getProperty("trustmesh.jar");
    assertThat(jar).as("system property trustmesh.jar (set by the it module's POM)").isNotBlank();
    assertThat(Path.of(jar)).as("the fat jar is built before the it module runs").isRegularFile();
    return jar;
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private void drain(InputStream in) {
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) > 0) {
        output.append(new String(buf, 0, n, StandardCharsets.UTF_8));
      }
    } catch (IOException ignored) {
      // the process ended
    }
  }

  String output() {
    return output.toString();
  }

  OutputStream stdin() {
    return process.getOutputStream();
  }

  void send(String text) throws IOException {
    stdin().write(text.getBytes(StandardCharsets.UTF_8));
    stdin().flush();
  }

  /**
   * Sends SIGTERM, as a service manager would, and keeps reading what the process says while it
   * stops ({@link Process#destroy()} would also close our end of its output).
   */
  void terminate() {
    process.toHandle().destroy();
  }

  /** SIGKILL: the process gets no chance to clean up (what a crash or an OOM kill leaves behind). */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for the exit code; fails the test if it takes longer than {@code seconds}. */
  int waitFor(int seconds) throws InterruptedException {
    boolean done = process.waitFor(seconds, TimeUnit.SECONDS);
    assertThat(done).as("%s finished within %ds; output so far:%n%s", command, seconds, output()).isTrue();
    // Callers assert on the last lines next: let the reader reach the end of the pipe (it ends with
    // the process, as no child of ours keeps it), which a busy machine may take seconds to schedule.
    reader.join(30_000);
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}

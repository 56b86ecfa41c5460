package io.trustmesh.it.control;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import org.awaitility.core.ConditionTimeoutException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code trustmesh proxy inbound|outbound} process from the fat jar; {@link #close()} stops it. */
final class SidecarProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("(?:inbound|outbound) +\\S+ +127\\.0\\.0\\.1:(\\d+) ->");
  private final Process process;
  private final StringBuffer output = new StringBuffer();

  private SidecarProcess(List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", System.getProperty("trustmesh.jar"), "proxy"));
    cmd.addAll(args);
    process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    InputStream in = process.getInputStream();
    Thread reader = new Thread(() -> {
      byte[] buf = new byte[4096];
      try {
        for (int n; (n = in.read(buf)) > 0; ) {
          output.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, "sidecar-output");
    reader.setDaemon(true);
    reader.start();
  }

  static SidecarProcess start(String... args) throws IOException {
    return new SidecarProcess(List.of(args));
  }

  /** The port it listens on, once it says so. */
  int port() {
    try {
      await().atMost(Duration.ofSeconds(120)).until(() -> LISTENING.matcher(output).find() || !process.isAlive());
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("sidecar did not say where it listens:\n" + output, e);
    }
    Matcher m = LISTENING.matcher(output);
    if (!m.find()) {
      throw new AssertionError("sidecar did not start:\n" + output);
    }
    return Integer.parseInt(m.group(1));
  }

  String output() {
    return output.toString();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}

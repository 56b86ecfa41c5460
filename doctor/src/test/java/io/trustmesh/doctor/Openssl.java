package io.trustmesh.doctor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs openssl: one-shot commands, and {@code s_server} on an ephemeral port, stopped on close. */
public final class Openssl {
  private static final Pattern ACCEPT = Pattern.compile("ACCEPT .*:(\\d+)$");

  private Openssl() {}

  /** Runs an openssl command to completion; fails the test with its output if it fails. */
  public static void run(Path dir, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("openssl " + String.join(" ", args) + " failed: " + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code openssl s_server} on 127.0.0.1 and a port the kernel picks. */
  public static final class Server implements AutoCloseable {
    private final Process process;
    private final int port;

    public Server(TestPki.ServerFiles files, String... extra) {
      List<String> cmd = new ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:0",
          "-cert", files.cert().toString(), "-key", files.key().toString()));
      files.chain().ifPresent(c -> {
        cmd.add("-cert_chain");
        cmd.add(c.toString());
      });
      cmd.addAll(List.of(extra));
      try {
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        int found = -1;
        StringBuilder seen = new StringBuilder();
        String line;
        while (found < 0 && (line = r.readLine()) != null) {
          seen.append(line).append('\n');
          Matcher m = ACCEPT.matcher(line.trim());
          if (m.find()) {
            found = Integer.parseInt(m.group(1));
          }
        }
        if (found < 0) {
          process.destroyForcibly();
          throw new IllegalStateException("openssl s_server did not start: " + String.join(" ", cmd) + "\n" + seen);
        }
        port = found;
        // Keep draining its output so that it never blocks on a full pipe.
        Thread drain = new Thread(() -> {
          try {
            while (r.readLine() != null) {
              // discarded
            }
          } catch (IOException ignored) {
            // the process went away
          }
        }, "s_server-drain");
        drain.setDaemon(true);
        drain.start();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    public int port() {
      return port;
    }

    public String target() {
      return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}

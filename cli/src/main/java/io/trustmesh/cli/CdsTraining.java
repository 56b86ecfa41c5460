package io.trustmesh.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import sun.misc.Signal;

/**
 * The training run behind the sidecar's class-data-sharing archive: the launcher runs it once per
 * built jar as {@code java -XX:ArchiveClassesAtExit=ARCHIVE -cp trustmesh.jar
 * io.trustmesh.cli.CdsTraining}, and the JVM writes every class it loaded into the archive at exit.
 * Later sidecar starts map those classes instead of reading, parsing and verifying them from the
 * jar again (JDK 17 has no {@code -XX:+AutoCreateSharedArchive}; this is its by-hand equivalent).
 *
 * <p>It does what a sidecar's start does, in a temporary directory: a {@code proxy inbound} in
 * strict mode in front of a one-shot backend, one mutual-TLS connection through it, then a SIGTERM
 * and the drain. Exit 0 when the connection went through; any other outcome exits 1 and the
 * launcher keeps no archive.
 *
 * <p>Only the sidecar runs in this JVM. The CA and the two SVIDs it needs ({@code ca init}, {@code
 * cert issue}) and the client ({@code doctor connect}) run in child JVMs, so that their classes
 * (certificate building, the JDK's TLS client, every other command) stay out of the archive: the
 * JVM relocates an archive when it maps it, which makes every page of it resident in every sidecar.
 */
final class CdsTraining {
  /** The banner's line for the inbound listener: {@code   inbound   NAME  127.0.0.1:PORT -> TARGET ...}. */
  private static final Pattern INBOUND_LINE = Pattern.compile("(?m)^  inbound   \\S+  127\\.0\\.0\\.1:(\\d+) -> ");

  private CdsTraining() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("trustmesh-cds-training");
    int code;
    try {
      code = train(dir);
    } finally {
      deleteTree(dir);
    }
    System.exit(code);
  }

  private static int train(Path dir) throws Exception {
    StringWriter log = new StringWriter();
    PrintWriter out = new PrintWriter(log, true);
    String td = "cds.trustmesh.invalid";
    if (child(log, "ca", "init", "--trust-domain", td, "--dir", dir.resolve("ca").toString()) != Main.OK) {
      return fail(log);
    }
    for (String who : new String[] {"server", "client"}) {
      if (child(log, "cert", "issue", "--ca", dir.resolve("ca").toString(), "--spiffe-id", "spiffe://" + td + "/" + who,
          "--dns", "localhost", "--ttl", "10m", "--out", dir.resolve(who).toString()) != Main.OK) {
        return fail(log);
      }
    }
    try (ServerSocket backend = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread answer = new Thread(() -> answerOnce(backend), "cds-backend");
      answer.setDaemon(true);
      answer.start();
      // Port 0: the kernel picks the port as the sidecar binds it and the banner names it, so no other
      // process can take a port picked beforehand (which failed the training until the next build).
      String[] inbound = {"proxy", "inbound", "--listen", "127.0.0.1:0",
          "--target", "127.0.0.1:" + backend.getLocalPort(), "--svid-dir", dir.resolve("server").toString(),
          "--allow-id", "spiffe://" + td + "/client"};
      int[] sidecarExit = {-1};
      Thread sidecar = new Thread(() -> sidecarExit[0] = Main.run(inbound, out, out), "cds-sidecar");
      sidecar.start();
      int port = -1;
      for (int attempt = 0; attempt < 300 && port < 0 && sidecar.isAlive(); attempt++) {
        Thread.sleep(100); // polls the banner of a sidecar started in this JVM
        port = boundPort(log.toString());
      }
      int probe = Main.OK + 1;
      for (int attempt = 0; attempt < 3 && port > 0 && probe != Main.OK && sidecar.isAlive(); attempt++) {
        probe = child(log, "doctor", "connect", "127.0.0.1:" + port, "--svid-dir", dir.resolve("client").toString(),
            "--expect-id", "spiffe://" + td + "/server", "--wait-after-handshake", "1s", "--timeout", "10s");
      }
      Main.run(new String[] {"proxy", "inbound", "--help"}, new PrintWriter(OutputStream.nullOutputStream()), out);
      Signal.raise(new Signal("TERM"));
      sidecar.join(30_000);
      return probe == Main.OK && sidecarExit[0] == Main.OK ? Main.OK : fail(log);
    }
  }

  /** Runs {@code trustmesh ARGS} in a child JVM (no archive, no options), its output appended to {@code log}. */
  private static int child(StringWriter log, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int code = p.waitFor();
    log.append(String.join(" ", args)).append(" -> ").append(String.valueOf(code)).append('\n').append(output);
    return code;
  }

  /** The port of the inbound listener as the sidecar's banner names it, or -1 before it has bound. */
  static int boundPort(String banner) {
    Matcher m = INBOUND_LINE.matcher(banner);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  private static int fail(StringWriter log) {
    System.err.println("trustmesh: the class-data-sharing training run failed; sidecars start without the archive");
    System.err.println(log);
    return Main.FAILED;
  }

  /** Answers each connection the sidecar relays with a small HTTP response until it closes. */
  private static void answerOnce(ServerSocket backend) {
    while (!backend.isClosed()) {
      try (Socket s = backend.accept(); InputStream in = s.getInputStream(); OutputStream o = s.getOutputStream()) {
        o.write("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"
            .getBytes(StandardCharsets.US_ASCII));
        o.flush();
        in.read();
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

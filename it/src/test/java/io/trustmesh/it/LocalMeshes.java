package io.trustmesh.it;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Helpers for the {@code trustmesh up} scenarios: mesh files on free ports, curl, and what /proc and ports say. */
final class LocalMeshes {
  static final Path QUICKSTART = Path.of("..", "examples", "quickstart", "trustmesh.yaml");
  /** Every fixed port of the quick-start file: sidecar ports, app ports, outbound local ports. */
  static final List<Integer> QUICKSTART_PORTS = List.of(8080, 8081, 8443, 9090, 18080, 18081, 18443, 19090, 15001,
      15002, 15003);

  private LocalMeshes() {}

  /**
   * The quick-start file, byte for byte, with each of its fixed ports replaced by a free one (so the
   * test runs beside anything else): returns the mapping, old port to new.
   */
  static Map<Integer, Integer> quickstartOnFreePorts(Path copy) throws IOException {
    String text = Files.readString(QUICKSTART, StandardCharsets.UTF_8);
    Map<Integer, Integer> ports = new LinkedHashMap<>();
    for (int p : QUICKSTART_PORTS) {
      ports.put(p, freePort());
    }
    // also inside ${TRUSTMESH_APP_SOCKET_8080}, which must name the port as the file now declares it
    Matcher m = Pattern.compile("(?<!\\d)(\\d{4,5})(?!\\d)").matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      int n = Integer.parseInt(m.group(1));
      m.appendReplacement(out, String.valueOf(ports.getOrDefault(n, n)));
    }
    m.appendTail(out);
    Files.writeString(copy, out.toString(), StandardCharsets.UTF_8);
    return ports;
  }

  /** What {@code trustmesh up --detach} did on a copy of the quick-start file: the ports it got, old to new. */
  record Up(Map<Integer, Integer> ports, int exit, String output) {}

  /**
   * {@code trustmesh up FILE --state-dir STATE --detach} on a copy of the quick-start file on free
   * ports ({@link #quickstartOnFreePorts}), run in {@code dir}. A port is free when picked but is
   * released again, so another process can take it (a listener, or the local port of an outgoing
   * connection) before {@code up} binds it; {@code up} then says that this port is in use. That is a
   * collision with the machine, not the behaviour under test: the copy gets new ports and {@code up}
   * runs again (three tries at most, each collision printed). Any other outcome is returned as is.
   */
  static Up upQuickstartOnFreePorts(Path dir, Path file, Path state, int seconds) throws Exception {
    Up up = null;
    for (int attempt = 1; attempt <= 3; attempt++) {
      Map<Integer, Integer> ports = quickstartOnFreePorts(file);
      try (Proc p = Proc.trustmesh(dir, "up", file, "--state-dir", state, "--detach")) {
        up = new Up(ports, p.waitFor(seconds), p.output());
      }
      Optional<Integer> taken = up.exit() == 0 ? Optional.empty() : collidedPort(up.output(), ports.values());
      if (taken.isEmpty()) {
        return up;
      }
      System.err.println("LocalMeshes: port " + taken.get() + " was taken by another process after it was picked"
          + " (try " + attempt + " of 3); picking new ports:\n" + up.output());
    }
    return up;
  }

  /**
   * The port of {@code picked} that {@code up}'s output says is in use (at its check before starting,
   * at a sidecar's bind, or at an app's), if any.
   */
  static Optional<Integer> collidedPort(String upOutput, Collection<Integer> picked) {
    Matcher m = Pattern.compile("port (\\d+) on 127\\.0\\.0\\.1 is already in use"
        + "|cannot listen on 127\\.0\\.0\\.1:(\\d+) for [^\\n]*already in use"
        + "|before listening on 127\\.0\\.0\\.1:(\\d+)(?=[\\s\\S]*Address already in use)").matcher(upOutput);
    while (m.find()) {
      String port = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
      if (picked.contains(Integer.parseInt(port))) {
        return Optional.of(Integer.parseInt(port));
      }
    }
    return Optional.empty();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** The result of one curl: its exit code (0 = an HTTP answer), the HTTP status and body. */
  record Curl(int exit, int status, String body) {}

  static Curl curl(String url) throws Exception {
    return curl(List.of(), url);
  }

  /**
   * curl to {@code address} ({@code HOST:PORT} or {@code unix:/path}, as state.json names it) at
   * {@code path}, run behind {@code prefix} (e.g. setpriv, to act as another uid).
   */
  static Curl curlAt(List<String> prefix, String address, String path) throws Exception {
    if (address.startsWith("unix:")) {
      List<String> unix = new ArrayList<>(prefix);
      unix.addAll(List.of("curl", "--unix-socket", address.substring("unix:".length())));
      return run(unix, "http://localhost" + path);
    }
    List<String> tcp = new ArrayList<>(prefix);
    tcp.add("curl");
    return run(tcp, "http://" + address + path);
  }

  /** curl of {@code url}, run behind {@code prefix}. */
  static Curl curl(List<String> prefix, String url) throws Exception {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add("curl");
    return run(cmd, url);
  }

  private static Curl run(List<String> curlCommand, String url) throws Exception {
    List<String> cmd = new ArrayList<>(curlCommand);
    cmd.addAll(List.of("-sS", "--max-time", "10", "-o", "-", "-w", "\n%{http_code}", url));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      p.getOutputStream().close();
      boolean done = p.waitFor(20, TimeUnit.SECONDS);
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!done) {
        throw new AssertionError("curl " + url + " did not finish: " + out);
      }
      int nl = out.lastIndexOf('\n');
      int status = nl < 0 ? 0 : Integer.parseInt(out.substring(nl + 1).strip());
      return new Curl(p.exitValue(), status, nl < 0 ? out : out.substring(0, nl));
    } finally {
      p.destroyForcibly();
    }
  }

  /** Whether nothing listens on {@code port} (a connection is refused). */
  static boolean refused(int port) {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return false;
    } catch (ConnectException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The command lines of live processes (from /proc) that contain any of {@code needles}. */
  static List<String> processesMentioning(List<String> needles) throws IOException {
    List<String> found = new ArrayList<>();
    long me = ProcessHandle.current().pid();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
        if (Long.parseLong(p.getFileName().toString()) == me) {
          continue;
        }
        String cmdline;
        try {
          cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
          continue; // ended meanwhile
        }
        if (needles.stream().anyMatch(cmdline::contains)) {
          found.add(p.getFileName() + ": " + cmdline.strip());
        }
      }
    }
    return found;
  }
}

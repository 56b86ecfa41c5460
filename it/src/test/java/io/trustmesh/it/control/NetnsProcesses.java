package io.trustmesh.it.control;

import static org.awaitility.Awaitility.await;

import io.trustmesh.api.workload.proto.X509SVIDResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

/**
 * The trustmesh processes of one cluster inside its network namespace ({@link ClusterNetwork}):
 * server, agent, sidecars and a plain HTTP backend, each from the fat jar (the backend is Python's
 * {@code http.server}). Ports are fixed: the namespace is new and private, so nothing else can hold
 * them. Admin and Workload API sockets are unix sockets in the test's directory, which the test JVM
 * reaches without crossing the network.
 */
final class NetnsProcesses {
  static final int NODE_PORT = 8081;
  static final int BACKEND_PORT = 8080;
  private static final Pattern SIDECAR_LISTENING = Pattern.compile("(?:inbound|outbound) +\\S+ +[0-9.]+:\\d+ ->");

  final ClusterNetwork net;
  final String ns;
  final Path dir;

  NetnsProcesses(ClusterNetwork net, String ns, Path dir) throws IOException {
    this.net = net;
    this.ns = ns;
    this.dir = Files.createDirectories(dir);
  }

  Path adminSocket() {
    return dir.resolve("admin.sock");
  }

  Path agentSocket() {
    return dir.resolve("agent.sock");
  }

  /** {@code trustmesh server} on 127.0.0.1:8081 of this namespace, once its admin socket answers. */
  Process server(String... extra) throws IOException {
    List<String> args = new ArrayList<>(List.of("server", "--data-dir", dir.resolve("server").toString(),
        "--listen", "127.0.0.1:" + NODE_PORT, "--admin", "127.0.0.1:8082", "--admin-socket", adminSocket().toString(),
        "--key-manager", "memory"));
    args.addAll(List.of(extra));
    Path log = dir.resolve("server.log");
    Process p = net.start(ns, log, ClusterNetwork.trustmesh(args.toArray(String[]::new)));
    await().atMost(Duration.ofSeconds(120)).until(() -> {
      if (!p.isAlive()) {
        throw new IllegalStateException("server in " + ns + " exited:\n" + Files.readString(log));
      }
      return Files.readString(log).contains("node API listening") && Files.exists(adminSocket());
    });
    return p;
  }

  /** {@code trustmesh agent} attached to this namespace's server, once its Workload API serves an SVID. */
  Process agent(Path trustBundle, String joinToken) throws IOException {
    Path log = dir.resolve("agent.log");
    Process p = net.start(ns, log, ClusterNetwork.trustmesh("agent", "--server", "127.0.0.1:" + NODE_PORT,
        "--trust-bundle", trustBundle.toString(), "--join-token", joinToken, "--data-dir", dir.resolve("agent").toString(),
        "--socket", "unix://" + agentSocket()));
    await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> {
      if (!p.isAlive()) {
        throw new IllegalStateException("agent in " + ns + " exited:\n" + Files.readString(log));
      }
      return svids().getSvidsCount() > 0;
    });
    return p;
  }

  /** What this process (the test) gets from the agent's Workload API. */
  X509SVIDResponse svids() {
    return Workloads.fetchOnce(agentSocket(), true);
  }

  /** {@code trustmesh proxy MODE ARGS} (with --workload-api of this agent), once it listens. */
  Process sidecar(String name, String mode, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("proxy", mode, "--workload-api", "unix://" + agentSocket()));
    cmd.addAll(List.of(args));
    Path log = dir.resolve(name + ".log");
    Process p = net.start(ns, log, ClusterNetwork.trustmesh(cmd.toArray(String[]::new)));
    await().atMost(Duration.ofSeconds(120)).until(() -> {
      if (!p.isAlive()) {
        throw new IllegalStateException("sidecar " + name + " in " + ns + " exited:\n" + Files.readString(log));
      }
      return SIDECAR_LISTENING.matcher(Files.readString(log)).find();
    });
    return p;
  }

  String log(String name) throws IOException {
    return Files.readString(dir.resolve(name + ".log"));
  }

  /** An HTTP backend on 127.0.0.1:8080 of this namespace answering {@code GET /hello.txt} with {@code body}. */
  Process backend(String body) throws IOException {
    Path www = Files.createDirectories(dir.resolve("www"));
    Files.writeString(www.resolve("hello.txt"), body);
    Process p = net.start(ns, dir.resolve("backend.log"), List.of("python3", "-m", "http.server", String.valueOf(BACKEND_PORT),
        "--bind", "127.0.0.1", "--directory", www.toString()));
    await().atMost(Duration.ofSeconds(60)).until(() -> body.equals(get(BACKEND_PORT)));
    return p;
  }

  /** A step that starts something and waits until it is ready. */
  interface Step {
    void run() throws Exception;
  }

  /**
   * Runs the steps at the same time and waits for all: the processes of two clusters start (and
   * warm up their JVMs) side by side instead of one after the other. The first failure is thrown.
   */
  static void inParallel(Step... steps) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(steps.length);
    try {
      List<Future<Object>> running = new ArrayList<>();
      for (Step s : steps) {
        running.add(pool.submit(() -> {
          s.run();
          return null;
        }));
      }
      for (Future<Object> f : running) {
        try {
          f.get();
        } catch (ExecutionException e) {
          throw e.getCause() instanceof Exception ex ? ex : new IllegalStateException(e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** {@code curl http://127.0.0.1:PORT/hello.txt} from inside this namespace: the body, or "" when it failed. */
  String get(int port) throws IOException, InterruptedException {
    return net.run(ns, "curl", "-s", "-m", "10", "http://127.0.0.1:" + port + "/hello.txt");
  }
}

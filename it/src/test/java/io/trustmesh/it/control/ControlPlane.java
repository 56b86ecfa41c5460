package io.trustmesh.it.control;

import io.trustmesh.agent.AgentConfig;
import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.node.proto.Entry;
import io.trustmesh.core.crypto.CryptoProviders;
import io.trustmesh.core.io.AtomicFiles;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.server.ServerConfig;
import io.trustmesh.server.TrustmeshServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A server and agents in this JVM, on loopback and unix sockets in a temporary directory. Tests
 * stop everything with {@link #close()}.
 */
final class ControlPlane implements AutoCloseable {
  static final TrustDomain TD = TrustDomain.parse("example.org");
  static final String AGENT_ID = "spiffe://example.org/agent/node-1";

  final Path dir;
  final ServerConfig serverConfig = new ServerConfig();
  TrustmeshServer server;
  final List<TrustmeshAgent> agents = new ArrayList<>();

  ControlPlane(Path dir) {
    CryptoProviders.install();
    this.dir = dir;
    serverConfig.trustDomain = TD;
    serverConfig.dataDir = dir.resolve("server");
    serverConfig.listen = "127.0.0.1:0";
    serverConfig.admin = "127.0.0.1:0";
    serverConfig.adminSocket = dir.resolve("admin.sock");
    serverConfig.keyManager = "memory";
    serverConfig.tick = Duration.ofMillis(100);
  }

  ControlPlane clock(Clock clock) {
    serverConfig.clock = clock;
    return this;
  }

  TrustmeshServer startServer() {
    server = TrustmeshServer.start(serverConfig);
    return server;
  }

  /** Starts the server again on the same port (after {@link #stopServer()}). */
  TrustmeshServer restartServer(int port) {
    serverConfig.listen = "127.0.0.1:" + port;
    return startServer();
  }

  void stopServer() {
    server.close();
  }

  AdminClient admin() {
    return AdminClient.connect(serverConfig.adminSocket);
  }

  String joinToken(String agentId) {
    try (AdminClient a = admin()) {
      return a.createJoinToken(agentId, Duration.ofMinutes(10)).getToken();
    }
  }

  Entry entry(String spiffeId, String parentId, Duration ttl, String... selectors) {
    try (AdminClient a = admin()) {
      return a.createEntry(Entry.newBuilder().setSpiffeId(spiffeId).setParentId(parentId)
          .addAllSelectors(List.of(selectors)).setTtlSeconds(ttl.toSeconds()).build());
    }
  }

  Path trustBundleFile() {
    Path f = dir.resolve("trust-bundle.pem");
    AtomicFiles.write(f, Pem.encodeCertificates(server.authority().bundle()), false);
    return f;
  }

  AgentConfig agentConfig(String name, Optional<String> token) {
    AgentConfig c = new AgentConfig();
    c.server = "127.0.0.1:" + server.nodeAddress().getPort();
    c.trustBundle = trustBundleFile();
    c.joinToken = token;
    c.dataDir = dir.resolve(name);
    c.socket = "unix://" + dir.resolve(name + ".sock");
    c.syncInterval = Duration.ofMillis(200);
    c.maxBackoff = Duration.ofMillis(800);
    c.clock = serverConfig.clock;
    return c;
  }

  TrustmeshAgent startAgent(AgentConfig c) {
    TrustmeshAgent a = TrustmeshAgent.start(c);
    agents.add(a);
    return a;
  }

  @Override
  public void close() {
    for (TrustmeshAgent a : agents) {
      a.close();
    }
    if (server != null) {
      server.close();
    }
  }
}

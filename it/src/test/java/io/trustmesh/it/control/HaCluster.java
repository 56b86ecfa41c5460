package io.trustmesh.it.control;

import io.trustmesh.agent.AgentConfig;
import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.node.proto.Entry;
import io.trustmesh.core.crypto.CryptoProviders;
import io.trustmesh.core.io.AtomicFiles;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.server.ServerConfig;
import io.trustmesh.server.TrustmeshServer;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Several trustmesh servers in this JVM on one PostgreSQL datastore (HA, no leader), each with its
 * own data directory, key manager, signing CA and admin socket, and agents attached to them.
 */
final class HaCluster implements AutoCloseable {
  final Path dir;
  final String datastore;
  final List<TrustmeshServer> servers = new ArrayList<>();
  final List<TrustmeshAgent> agents = new ArrayList<>();

  HaCluster(Path dir, String datastore, int size) {
    CryptoProviders.install();
    this.dir = dir;
    this.datastore = datastore;
    for (int i = 0; i < size; i++) {
      servers.add(TrustmeshServer.start(config(i)));
    }
  }

  ServerConfig config(int i) {
    ServerConfig c = new ServerConfig();
    c.trustDomain = ControlPlane.TD;
    c.dataDir = dir.resolve("server-" + i);
    c.datastore = datastore;
    c.listen = "127.0.0.1:0";
    c.admin = "127.0.0.1:0";
    c.adminSocket = dir.resolve("admin-" + i + ".sock");
    c.keyManager = "memory";
    c.tick = Duration.ofMillis(100);
    return c;
  }

  AdminClient admin(int i) {
    return AdminClient.connect(dir.resolve("admin-" + i + ".sock"));
  }

  String joinToken(int server, String agentId) {
    try (AdminClient a = admin(server)) {
      return a.createJoinToken(agentId, Duration.ofMinutes(10)).getToken();
    }
  }

  Entry entry(int server, String spiffeId, String parentId, Duration ttl, String... selectors) {
    try (AdminClient a = admin(server)) {
      return a.createEntry(Entry.newBuilder().setSpiffeId(spiffeId).setParentId(parentId)
          .addAllSelectors(List.of(selectors)).setTtlSeconds(ttl.toSeconds()).build());
    }
  }

  /** The signing CAs (bundle certificates) each server publishes. */
  Set<X509Certificate> bundleOf(int i) {
    return new LinkedHashSet<>(servers.get(i).authority().bundle());
  }

  /** True when every server publishes every server's active signing CA. */
  boolean bundlesConverged() {
    Set<X509Certificate> actives = servers.stream().map(s -> s.authority().active().certificate())
        .collect(Collectors.toSet());
    return servers.stream().allMatch(s -> s.authority().bundle().containsAll(actives));
  }

  Path trustBundleFile() {
    Path f = dir.resolve("trust-bundle.pem");
    AtomicFiles.write(f, Pem.encodeCertificates(List.copyOf(bundleOf(0))), false);
    return f;
  }

  String address(int i) {
    return "127.0.0.1:" + servers.get(i).nodeAddress().getPort();
  }

  AgentConfig agentConfig(String name, String server, Optional<String> token) {
    AgentConfig c = new AgentConfig();
    c.server = server;
    c.trustBundle = trustBundleFile();
    c.joinToken = token;
    c.dataDir = dir.resolve(name);
    c.socket = "unix://" + dir.resolve(name + ".sock");
    c.syncInterval = Duration.ofMillis(200);
    c.maxBackoff = Duration.ofMillis(800);
    return c;
  }

  TrustmeshAgent startAgent(AgentConfig c) {
    TrustmeshAgent a = TrustmeshAgent.start(c);
    synchronized (agents) {
      agents.add(a);
    }
    return a;
  }

  @Override
  public void close() {
    for (TrustmeshAgent a : agents) {
      a.close();
    }
    for (TrustmeshServer s : servers) {
      s.close();
    }
  }
}

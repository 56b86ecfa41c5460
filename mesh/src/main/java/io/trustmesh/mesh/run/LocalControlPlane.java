package io.trustmesh.mesh.run;

import io.trustmesh.agent.AgentConfig;
import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.node.proto.Entry;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.ca.CaDirectory;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.io.AtomicFiles;
import io.trustmesh.core.io.FileOwnership;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.mesh.state.MeshState;
import io.trustmesh.mesh.state.StateDirectory;
import io.trustmesh.policy.meshfile.CaSettings;
import io.trustmesh.policy.meshfile.MeshFile;
import io.trustmesh.policy.meshfile.MeshService;
import io.trustmesh.server.ServerConfig;
import io.trustmesh.server.TrustmeshServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The control plane of a local mesh, in the supervising process: a CA hierarchy made for this run
 * (root and one intermediate with the mesh file's TTLs and key type; the root's key is discarded once
 * the intermediate is signed, so the root is offline in the strongest sense), the server on SQLite
 * with the intermediate as its upstream authority, one registration entry per meshed service, and
 * one agent attested with a join token.
 *
 * <p>Every service runs as this user, so the entries share one selector, {@code unix:uid:UID}: the
 * agent offers each sidecar every service's SVID and the sidecar picks its own by SPIFFE ID. That is
 * the honest boundary of a one-user mesh: any process of this uid may ask the agent for any of the
 * mesh's identities (as it could read their keys from each other's memory). The Workload API socket
 * sits in the 0700 {@code run/} directory, so no other uid can even connect.
 */
final class LocalControlPlane implements AutoCloseable {
  static final String INTERMEDIATE = "mesh";
  static final Duration AGENT_SYNC = Duration.ofSeconds(2);
  static final Duration SVID_WAIT = Duration.ofSeconds(30);

  private final TrustmeshServer server;
  private final TrustmeshAgent agent;
  private final MeshState.Server serverState;
  private final MeshState.Ca caState;

  private LocalControlPlane(TrustmeshServer server, TrustmeshAgent agent, MeshState.Server serverState,
      MeshState.Ca caState) {
    this.server = server;
    this.agent = agent;
    this.serverState = serverState;
    this.caState = caState;
  }

  static LocalControlPlane start(MeshFile mesh, StateDirectory dir, Clock clock) throws InterruptedException {
    Path ca = dir.privateSubdirectory("ca");
    CaSettings s = mesh.ca();
    CaDirectory hierarchy = CaDirectory.init(ca.resolve("hierarchy"), mesh.trustDomain(),
        KeyType.parse(s.keyType().spelling()), s.rootTtl(), List.of(INTERMEDIATE), s.intermediateTtl(),
        Optional.empty(), clock);
    Path root = hierarchy.path().resolve("root.pem");
    Path intermediate = hierarchy.path().resolve("intermediates").resolve(INTERMEDIATE);
    deleteRootKey(hierarchy.path().resolve("root_key.pem"));

    Path run = dir.privateSubdirectory("run");
    ServerConfig c = new ServerConfig();
    c.trustDomain = mesh.trustDomain();
    c.dataDir = dir.privateSubdirectory("server");
    c.listen = "127.0.0.1:0";
    c.admin = "127.0.0.1:0";
    c.adminSocket = run.resolve("admin.sock");
    c.upstream = "disk";
    c.upstreamCert = intermediate.resolve("ca.pem");
    c.upstreamKey = intermediate.resolve("ca_key.pem");
    c.upstreamBundle = root;
    c.caTtl = s.signingCaTtl();
    c.svidTtl = s.svidTtl();
    c.clock = clock;
    c.validate();
    TrustmeshServer server = TrustmeshServer.start(c);
    TrustmeshAgent agent = null;
    try {
      Path bundle = c.dataDir.resolve("bundle.pem");
      AtomicFiles.write(bundle, Pem.encodeCertificates(server.authority().bundle()), false);
      SpiffeId agentId = mesh.trustDomain().newSpiffeId("agent", "local");
      List<MeshService> meshed = mesh.services().stream().filter(MeshService::sidecar).toList();
      String token;
      try (AdminClient admin = AdminClient.connect(c.adminSocket)) {
        token = admin.createJoinToken(agentId.toString(), Duration.ofMinutes(5)).getToken();
        String selector = "unix:uid:" + FileOwnership.currentUid();
        for (MeshService svc : meshed) {
          admin.createEntry(Entry.newBuilder().setSpiffeId(svc.spiffeId().toString()).setParentId(agentId.toString())
              .addSelectors(selector).setTtlSeconds(s.svidTtl().toSeconds()).build());
        }
      }
      AgentConfig a = new AgentConfig();
      a.server = "127.0.0.1:" + server.nodeAddress().getPort();
      a.trustBundle = bundle;
      a.joinToken = Optional.of(token);
      a.dataDir = dir.privateSubdirectory("agent");
      a.socket = "unix://" + run.resolve("agent.sock");
      a.syncInterval = AGENT_SYNC;
      a.clock = clock;
      agent = TrustmeshAgent.start(a);
      awaitSvids(agent, meshed.size());
      return new LocalControlPlane(server, agent,
          new MeshState.Server("127.0.0.1:" + server.nodeAddress().getPort(), c.adminSocket.toString(),
              bundle.toString()),
          new MeshState.Ca(root.toString(), intermediate.resolve("ca.pem").toString()));
    } catch (RuntimeException | InterruptedException e) {
      if (agent != null) {
        agent.close();
      }
      server.close();
      throw e;
    }
  }

  /** The root signs nothing else in a local mesh; a new {@code up} makes a new hierarchy. */
  private static void deleteRootKey(Path key) {
    try {
      Files.delete(key);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot discard the root key " + key + ": " + e.getMessage(), e);
    }
  }

  private static void awaitSvids(TrustmeshAgent agent, int count) throws InterruptedException {
    Instant deadline = Instant.now().plus(SVID_WAIT);
    for (int polls = 1; agent.snapshot().svids().size() < count; polls++) {
      if (Instant.now().isAfter(deadline)) {
        throw new BadInputException("the agent holds " + agent.snapshot().svids().size() + " of " + count
            + " SVIDs after " + SVID_WAIT.toSeconds() + "s; see the server's and agent's log lines above");
      }
      if (polls % 10 == 0) {
        agent.syncNow(); // the agent syncs on its own; nudge it now and then rather than wait a full interval
      }
      Thread.sleep(100); // the agent's sync is asynchronous; poll its snapshot
    }
  }

  /** {@code unix:/abs/run/agent.sock}, as MESH-STATE.md and the Workload API clients take it. */
  String workloadApi() {
    return "unix:" + agent.socketPath();
  }

  MeshState.Server serverState() {
    return serverState;
  }

  MeshState.Ca caState() {
    return caState;
  }

  @Override
  public void close() {
    try {
      agent.close();
    } finally {
      server.close();
    }
  }
}

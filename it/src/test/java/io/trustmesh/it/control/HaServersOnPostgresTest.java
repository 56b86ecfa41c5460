package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.trustmesh.api.workload.proto.X509SVIDResponse;
import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.node.proto.Entry;
import io.trustmesh.core.spiffe.SpiffeId;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three servers on one real PostgreSQL (HA, no leader): a join token is single-use across servers,
 * a change made through one server's admin API reaches an agent served by another, each server
 * signs with its own CA and every server publishes all of them, and an agent given several servers
 * moves on when its server stops, keeping its cache.
 */
class HaServersOnPostgresTest {
  static final int UID = AuthorizationTest.UID;
  @TempDir Path dir;

  @Test
  void aJoinTokenRedeemedConcurrentlyOnTwoServersAdmitsExactlyOneAgent() throws Exception {
    try (Postgres pg = Postgres.shared(); HaCluster ha = new HaCluster(dir, pg.url(), 3)) {
      await().atMost(Duration.ofSeconds(30)).until(ha::bundlesConverged);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        for (int round = 0; round < 5; round++) {
          String id = "spiffe://example.org/agent/node-" + round;
          String token = ha.joinToken(0, id);
          CountDownLatch go = new CountDownLatch(1);
          List<Future<String>> outcomes = new ArrayList<>();
          for (int server = 1; server <= 2; server++) {
            var config = ha.agentConfig("r" + round + "-s" + server, ha.address(server), Optional.of(token));
            Callable<String> attempt = () -> {
              go.await();
              try {
                ha.startAgent(config);
                return "admitted";
              } catch (RuntimeException e) {
                return "refused: " + e.getMessage();
              }
            };
            outcomes.add(pool.submit(attempt));
          }
          go.countDown();
          List<String> results = new ArrayList<>();
          for (Future<String> f : outcomes) {
            results.add(f.get());
          }
          assertThat(results).as("round " + round).filteredOn("admitted"::equals).hasSize(1);
          assertThat(results).as("round " + round).filteredOn(r -> r.startsWith("refused"))
              .singleElement().asString().contains("attestation failed");
        }
        assertThat(ha.servers.get(0).dataStore().auditLog(1000)).filteredOn(e -> e.action().equals("node.attest"))
            .hasSize(5);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void changesThroughOneServerReachAnAgentServedByAnother() throws Exception {
    try (Postgres pg = Postgres.shared(); HaCluster ha = new HaCluster(dir, pg.url(), 3)) {
      await().atMost(Duration.ofSeconds(30)).until(ha::bundlesConverged);
      String agentId = "spiffe://example.org/agent/on-b";
      TrustmeshAgent agent = ha.startAgent(ha.agentConfig("agent-b", ha.address(1), Optional.of(ha.joinToken(0, agentId))));

      // Created through server A (0), served by the agent attached to server B (1), signed by B's CA.
      Entry web = ha.entry(0, "spiffe://example.org/web", agentId, Duration.ZERO, "unix:uid:" + UID);
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
          assertThat(Workloads.fetchOnce(agent.socketPath(), true).getSvidsList())
              .anySatisfy(s -> assertThat(s.getSpiffeId()).isEqualTo("spiffe://example.org/web")));
      X509SVIDResponse r = Workloads.fetchOnce(agent.socketPath(), true);
      X509Certificate leaf = firstCertificate(r.getSvids(0).getX509Svid().toByteArray());
      X509Certificate bCa = ha.servers.get(1).authority().active().certificate();
      assertThat(leaf.getIssuerX500Principal()).isEqualTo(bCa.getSubjectX500Principal());
      leaf.verify(bCa.getPublicKey());
      // Agents of A trust what B signs: A publishes B's CA.
      assertThat(ha.servers.get(0).authority().bundle()).contains(bCa);

      // Deleted through server C (2): the agent on B drops it.
      try (AdminClient c = ha.admin(2)) {
        c.deleteEntry(web.getId());
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> agent.snapshot().entries().isEmpty()
          && agent.snapshot().svids().isEmpty());

      // Evicted through server A: server B refuses the agent's SVID.
      try (AdminClient a = ha.admin(0)) {
        a.evictAgent(agentId);
      }
      assertThatThrownBy(agent::syncNow).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(e.getStatus().getDescription()).contains("was evicted");
      });
    }
  }

  @Test
  void anAgentGivenSeveralServersMovesOnWhenItsServerStopsAndKeepsItsCache() throws Exception {
    try (Postgres pg = Postgres.shared(); HaCluster ha = new HaCluster(dir, pg.url(), 3)) {
      await().atMost(Duration.ofSeconds(30)).until(ha::bundlesConverged);
      String agentId = "spiffe://example.org/agent/many";
      String servers = ha.address(0) + "," + ha.address(1) + "," + ha.address(2);
      TrustmeshAgent agent = ha.startAgent(ha.agentConfig("agent-many", servers, Optional.of(ha.joinToken(0, agentId))));
      ha.entry(1, "spiffe://example.org/before", agentId, Duration.ZERO, "unix:uid:" + UID);
      await().atMost(Duration.ofSeconds(30)).until(() -> agent.snapshot().svids().size() == 1);
      String before = agent.snapshot().svids().values().iterator().next().leaf().getSerialNumber().toString(16);

      ha.servers.get(0).close();
      ha.entry(2, "spiffe://example.org/after", agentId, Duration.ZERO, "unix:uid:" + UID);
      await().atMost(Duration.ofSeconds(30)).until(() -> agent.snapshot().svids().size() == 2);
      assertThat(agent.snapshot().svids().values()).extracting(s -> s.leaf().getSerialNumber().toString(16))
          .contains(before);
      assertThat(Workloads.fetchOnce(agent.socketPath(), true).getSvidsList())
          .extracting(s -> s.getSpiffeId()).containsExactlyInAnyOrder("spiffe://example.org/before",
              "spiffe://example.org/after");
      assertThat(SpiffeId.parse(agentId)).isEqualTo(agent.spiffeId());
    }
  }

  static X509Certificate firstCertificate(byte[] der) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(der)).iterator().next();
  }
}

package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.security.auth.module.UnixSystem;
import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.node.proto.Entry;
import io.trustmesh.core.ca.CaDirectory;
import io.trustmesh.core.crypto.CryptoProviders;
import io.trustmesh.core.crypto.KeyType;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layout 1 of docs/multi-cluster.md across real network separation: two clusters of example.org,
 * each in its own Linux network namespace with its own server process (and datastore) under its
 * own cluster intermediate of one offline root, its own agent and sidecars. The namespaces share
 * nothing but a veth link; each server listens on its namespace's loopback, which the other cluster
 * cannot reach. A sidecar in cluster A calls a sidecar in cluster B over the link; B admits A's
 * workload by its SPIFFE ID, with the root as the only common anchor.
 */
class MultiClusterOneTrustDomainTest {
  static final String UID = "unix:uid:" + new UnixSystem().getUid();
  static final String A_WEB = "spiffe://example.org/a/web";
  static final String B_API = "spiffe://example.org/b/api";
  static final String AGENT_ID = "spiffe://example.org/agent/node-1";
  static final String HELLO = "hello from cluster b\n";

  @TempDir Path dir;

  @Test
  void aWorkloadInClusterACallsClusterBAcrossTheLinkAuthorizedByItsSpiffeId() throws Exception {
    CryptoProviders.install();
    Path ca = dir.resolve("ca");
    CaDirectory.init(ca, ControlPlane.TD, KeyType.DEFAULT, Duration.ofDays(3650), List.of("cluster-a", "cluster-b"),
        Duration.ofDays(365), Optional.empty(), Clock.systemUTC());
    try (ClusterNetwork net = ClusterNetwork.create()) {
      NetnsProcesses a = new NetnsProcesses(net, net.nsA, dir.resolve("cluster-a"));
      NetnsProcesses b = new NetnsProcesses(net, net.nsB, dir.resolve("cluster-b"));
      NetnsProcesses.inParallel(() -> cluster(a, "cluster-a", ca, A_WEB), () -> cluster(b, "cluster-b", ca, B_API));
      assertThat(a.svids().getSvids(0).getSpiffeId()).isEqualTo(A_WEB);
      assertThat(b.svids().getSvids(0).getSpiffeId()).isEqualTo(B_API);
      assertThat(a.svids().getSvids(0).getBundle()).as("both clusters publish the root").isEqualTo(
          b.svids().getSvids(0).getBundle());

      String linkB = net.addressB();
      String backend = "127.0.0.1:" + NetnsProcesses.BACKEND_PORT;
      NetnsProcesses.inParallel(() -> b.backend(HELLO),
          () -> b.sidecar("in-named", "inbound", "--listen", linkB + ":8443", "--target", backend, "--allow-id", A_WEB),
          () -> b.sidecar("in-other", "inbound", "--listen", linkB + ":8444", "--target", backend,
              "--allow-id", "spiffe://example.org/a/other"),
          () -> a.sidecar("out-named", "outbound", "--listen", "127.0.0.1:9001", "--target", linkB + ":8443",
              "--expect-id", B_API),
          () -> a.sidecar("out-other", "outbound", "--listen", "127.0.0.1:9002", "--target", linkB + ":8444",
              "--expect-id", B_API));

      assertThat(a.get(NetnsProcesses.BACKEND_PORT)).as("cluster B's backend is not reachable from cluster A's loopback")
          .isEmpty();
      assertThat(a.get(9001)).isEqualTo(HELLO);
      assertThat(a.get(9002)).as("an ID the policy does not name is refused").isEmpty();
      await().atMost(Duration.ofSeconds(10)).until(() -> b.log("in-other").contains(A_WEB));
    }
  }

  /** One cluster: its server under its intermediate, its workload's entry, and its agent. */
  private static void cluster(NetnsProcesses c, String name, Path ca, String workload) throws Exception {
    c.server("--trust-domain", "example.org", "--upstream", "disk",
        "--upstream-cert", ca.resolve("intermediates/" + name + "/ca.pem").toString(),
        "--upstream-key", ca.resolve("intermediates/" + name + "/ca_key.pem").toString(),
        "--upstream-bundle", ca.resolve("root.pem").toString());
    c.agent(ca.resolve("root.pem"), entryAndToken(c, workload));
  }

  private static String entryAndToken(NetnsProcesses c, String spiffeId) {
    try (AdminClient admin = AdminClient.connect(c.adminSocket())) {
      admin.createEntry(Entry.newBuilder().setSpiffeId(spiffeId).setParentId(AGENT_ID).addSelectors(UID)
          .setTtlSeconds(600).build());
      return admin.createJoinToken(AGENT_ID, Duration.ofMinutes(10)).getToken();
    }
  }
}

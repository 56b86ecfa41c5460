package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.sun.security.auth.module.UnixSystem;
import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.admin.proto.Federation;
import io.trustmesh.api.node.proto.Entry;
import io.trustmesh.api.workload.proto.X509SVIDResponse;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.api.grpc.Der;
import io.trustmesh.core.io.AtomicFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two trust domains in two Linux network namespaces joined by one link (see {@link ClusterNetwork}):
 * example.org in A, partner.org in B, each with its server, bundle endpoint, agent and sidecars as
 * processes. partner.org's outbound sidecar calls example.org's inbound sidecar across the link;
 * each side verifies the other against the other domain's federated bundle, fetched from the
 * other's bundle endpoint over the link.
 *
 * <ol>
 *   <li>The inbound side admits the partner only where its allow policy names it.</li>
 *   <li>The link is cut ({@code ip link set ... down}) for longer than an SVID half-life (SVIDs of
 *       20 s), and partner.org's CA is rotated meanwhile (a forced rotation: its bundle's sequence
 *       advances at once instead of at half of a CA lifetime): both agents keep serving valid,
 *       renewed SVIDs and the last good federated bundle; example.org's server records the failed
 *       fetch.</li>
 *   <li>The link is restored: example.org fetches partner.org's newer bundle (the sequence
 *       advances) and the call succeeds again; no process was restarted.</li>
 *   <li>With the federation deleted the same call is refused.</li>
 * </ol>
 */
class SidecarsAcrossTrustDomainsTest {
  static final String UID = "unix:uid:" + new UnixSystem().getUid();
  static final String BACKEND = "spiffe://example.org/backend";
  static final String FRONTEND = "spiffe://partner.org/frontend";
  static final String HOME_AGENT = "spiffe://example.org/agent/node-1";
  static final String PARTNER_AGENT = "spiffe://partner.org/agent/node-1";
  static final String HELLO = "hello from example.org\n";
  static final int BUNDLE_PORT = 8443;

  @TempDir Path dir;

  @Test
  void mutualTlsThroughFederationSurvivesACutLinkOnlyForNamedPeersAndOnlyWhileFederated() throws Exception {
    try (ClusterNetwork net = ClusterNetwork.create()) {
      NetnsProcesses home = new NetnsProcesses(net, net.nsA, dir.resolve("home"));
      NetnsProcesses partner = new NetnsProcesses(net, net.nsB, dir.resolve("partner"));
      String homeAddr = net.addressA();
      String partnerAddr = net.addressB();
      List<Process> processes = Collections.synchronizedList(new ArrayList<>());
      NetnsProcesses.inParallel(
          () -> processes.add(home.server("--trust-domain", "example.org", "--bundle-endpoint",
              homeAddr + ":" + BUNDLE_PORT, "--bundle-refresh-hint", "1s")),
          () -> processes.add(partner.server("--trust-domain", "partner.org", "--bundle-endpoint",
              partnerAddr + ":" + BUNDLE_PORT, "--bundle-refresh-hint", "1s", "--svid-ttl", "20s")));
      federate(home, "partner.org", partner, partnerAddr);
      federate(partner, "example.org", home, homeAddr);
      String homeToken = entryAndToken(home, BACKEND, HOME_AGENT, "partner.org");
      String partnerToken = entryAndToken(partner, FRONTEND, PARTNER_AGENT, "example.org");
      NetnsProcesses.inParallel(() -> processes.add(home.agent(trustBundle(home), homeToken)),
          () -> processes.add(partner.agent(trustBundle(partner), partnerToken)));
      await().atMost(Duration.ofSeconds(60)).until(() ->
          home.svids().containsFederatedBundles("spiffe://partner.org")
              && partner.svids().containsFederatedBundles("spiffe://example.org"));

      String target = "127.0.0.1:" + NetnsProcesses.BACKEND_PORT;
      NetnsProcesses.inParallel(() -> processes.add(home.backend(HELLO)),
          () -> processes.add(home.sidecar("in-named", "inbound", "--listen", homeAddr + ":9443", "--target", target,
              "--allow-id", FRONTEND)),
          () -> processes.add(home.sidecar("in-not-named", "inbound", "--listen", homeAddr + ":9444", "--target", target,
              "--allow-trust-domain", "example.org")),
          () -> processes.add(partner.sidecar("out-named", "outbound", "--listen", "127.0.0.1:9001",
              "--target", homeAddr + ":9443", "--expect-id", BACKEND)),
          () -> processes.add(partner.sidecar("out-not-named", "outbound", "--listen", "127.0.0.1:9002",
              "--target", homeAddr + ":9444", "--expect-id", BACKEND)));
      // The first calls go through cold sidecar JVMs: give them time, not a single try.
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
          .until(() -> HELLO.equals(partner.get(9001)));

      // Federation alone admits nobody: the partner is authenticated but not named.
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() ->
          partner.get(9002).isEmpty() && home.log("in-not-named").contains(FRONTEND));
      assertThat(home.log("in-not-named")).contains("is not allowed");

      // The link is cut for longer than an SVID half-life, and until partner.org's bundle changed.
      long sequenceBefore = federation(home, "partner.org").getSequence();
      Set<String> homeSerialsBefore = serials(home.svids());
      Set<String> partnerSerialsBefore = serials(partner.svids());
      ByteString partnerBundleHeld = home.svids().getFederatedBundlesOrThrow("spiffe://partner.org");
      net.cut();
      try {
        assertThat(partner.get(9001)).as("nothing crosses a cut link").isEmpty();
        // partner.org's bundle changes while the link is down: its operator rotates its CA.
        try (AdminClient a = AdminClient.connect(partner.adminSocket())) {
          a.rotate(true, false, Duration.ofHours(1));
        }
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() ->
            !serials(home.svids()).equals(homeSerialsBefore) && !serials(partner.svids()).equals(partnerSerialsBefore)
                && sequenceOf(partner) > sequenceBefore && !federation(home, "partner.org").getLastError().isEmpty());
        X509SVIDResponse homeNow = home.svids();
        assertThat(homeNow.getFederatedBundlesOrThrow("spiffe://partner.org")).as("the last good bundle stays")
            .isEqualTo(partnerBundleHeld);
        assertThat(partner.svids().containsFederatedBundles("spiffe://example.org")).isTrue();
        assertThat(federation(home, "partner.org").getSequence()).isEqualTo(sequenceBefore);
      } finally {
        net.restore();
      }

      // Restored: the newer bundle is fetched, and the call goes through again. Nothing was restarted.
      long partnerSequence = sequenceOf(partner);
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).until(() -> {
        Federation f = federation(home, "partner.org");
        return f.getSequence() >= partnerSequence && f.getLastError().isEmpty();
      });
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
          .until(() -> HELLO.equals(partner.get(9001)));
      assertThat(processes).allMatch(Process::isAlive);

      // Deleted federation: once the home agent drops partner.org's bundle, the named peer is refused too.
      try (AdminClient a = AdminClient.connect(home.adminSocket())) {
        a.deleteFederation("partner.org");
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> !home.svids().containsFederatedBundles("spiffe://partner.org"));
      await().atMost(Duration.ofSeconds(30)).until(() -> partner.get(9001).isEmpty());
    }
  }

  /** Makes {@code home} federate with {@code foreign}'s bundle endpoint across the link (https_spiffe). */
  private static void federate(NetnsProcesses home, String foreignTd, NetnsProcesses foreign, String foreignAddr) {
    String json;
    try (AdminClient a = AdminClient.connect(foreign.adminSocket())) {
      json = a.bundle().getSpiffeJson();
    }
    try (AdminClient a = AdminClient.connect(home.adminSocket())) {
      a.createFederation(Federation.newBuilder().setTrustDomain(foreignTd)
          .setBundleEndpointUrl("https://" + foreignAddr + ":" + BUNDLE_PORT).setProfile("https_spiffe")
          .setInitialBundleJson(json).build());
    }
  }

  private static Federation federation(NetnsProcesses c, String td) {
    try (AdminClient a = AdminClient.connect(c.adminSocket())) {
      return a.getFederation(td);
    }
  }

  /** The sequence of the bundle the server publishes now. */
  private static long sequenceOf(NetnsProcesses c) {
    try (AdminClient a = AdminClient.connect(c.adminSocket())) {
      return a.bundle().getBundle().getSequence();
    }
  }

  private static Path trustBundle(NetnsProcesses c) {
    Path f = c.dir.resolve("trust-bundle.pem");
    try (AdminClient a = AdminClient.connect(c.adminSocket())) {
      AtomicFiles.write(f, Pem.encodeCertificates(Der.certificates(a.bundle().getBundle().getX509AuthoritiesList())),
          false);
    }
    return f;
  }

  private static String entryAndToken(NetnsProcesses c, String spiffeId, String agentId, String federatesWith) {
    try (AdminClient a = AdminClient.connect(c.adminSocket())) {
      a.createEntry(Entry.newBuilder().setSpiffeId(spiffeId).setParentId(agentId).addSelectors(UID)
          .setTtlSeconds(20).addFederatesWith(federatesWith).build());
      return a.createJoinToken(agentId, Duration.ofMinutes(10)).getToken();
    }
  }

  private static Set<String> serials(X509SVIDResponse r) {
    return r.getSvidsList().stream().map(s -> Der.certificates(s.getX509Svid()).get(0).getSerialNumber()
        .toString(16)).collect(Collectors.toSet());
  }
}

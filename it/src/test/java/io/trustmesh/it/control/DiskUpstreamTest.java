package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trustmesh.agent.TrustmeshAgent;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.ca.CaDirectory;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.pem.Pem;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.verify.Verification;
import io.trustmesh.core.verify.VerifyOptions;
import io.trustmesh.core.verify.X509Verifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's signing CA under a cluster intermediate from 'trustmesh ca': SVIDs chain
 * leaf → signing CA → cluster intermediate → root, and the bundle is the offline root.
 */
class DiskUpstreamTest {
  static final int UID = (int) new com.sun.security.auth.module.UnixSystem().getUid();
  @TempDir Path dir;

  @Test
  void svidsChainToTheOfflineRoot() {
    Path ca = dir.resolve("ca");
    CaDirectory.init(ca, ControlPlane.TD, KeyType.DEFAULT, Duration.ofDays(3650), List.of("cluster-1"),
        Duration.ofDays(365), Optional.empty(), Clock.systemUTC());
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.serverConfig.upstream = "disk";
      cp.serverConfig.upstreamCert = ca.resolve("intermediates/cluster-1/ca.pem");
      cp.serverConfig.upstreamKey = ca.resolve("intermediates/cluster-1/ca_key.pem");
      cp.serverConfig.upstreamBundle = ca.resolve("root.pem");
      cp.startServer();
      assertThat(cp.server.authority().bundle()).containsExactly(CaDirectory.open(ca).rootCertificate());

      cp.entry("spiffe://example.org/web", ControlPlane.AGENT_ID, Duration.ZERO, "unix:uid:" + UID);
      TrustmeshAgent agent = cp.startAgent(cp.agentConfig("agent", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      await().atMost(Duration.ofSeconds(20)).until(() -> !agent.snapshot().svids().isEmpty());
      X509Svid svid = agent.snapshot().svids().values().iterator().next();

      assertThat(svid.chain()).hasSize(3);
      assertThat(svid.chain().get(1).getBasicConstraints()).as("signing CA path length").isZero();
      Verification v = X509Verifier.verify(svid.leaf(), VerifyOptions.spiffe(X509BundleSet.of(
          new X509Bundle(ControlPlane.TD, List.of(CaDirectory.open(ca).rootCertificate()))))
          .intermediates(svid.chain().subList(1, svid.chain().size())));
      assertThat(v.isValid()).as(v.toString()).isTrue();
    }
  }

  /**
   * Issue 9 item 14, as found: an upstream intermediate without --upstream-bundle was published as the
   * trust anchor, and openssl refused the agent's SVID against that bundle ("unable to get issuer
   * certificate"). Now the root of its 'trustmesh ca' directory is published, and openssl verifies.
   */
  @Test
  void withoutABundleTheRootOfTheCaDirectoryIsPublishedAndOpensslVerifiesTheSvid() throws Exception {
    Path ca = dir.resolve("ca");
    CaDirectory.init(ca, ControlPlane.TD, KeyType.DEFAULT, Duration.ofDays(3650), List.of("cluster-1"),
        Duration.ofDays(365), Optional.empty(), Clock.systemUTC());
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.serverConfig.upstream = "disk";
      cp.serverConfig.upstreamCert = ca.resolve("intermediates/cluster-1/ca.pem");
      cp.serverConfig.upstreamKey = ca.resolve("intermediates/cluster-1/ca_key.pem");
      cp.startServer();
      assertThat(cp.server.authority().bundle()).containsExactly(CaDirectory.open(ca).rootCertificate());

      cp.entry("spiffe://example.org/web", ControlPlane.AGENT_ID, Duration.ZERO, "unix:uid:" + UID);
      TrustmeshAgent agent = cp.startAgent(cp.agentConfig("agent", Optional.of(cp.joinToken(ControlPlane.AGENT_ID))));
      await().atMost(Duration.ofSeconds(20)).until(() -> !agent.snapshot().svids().isEmpty());
      X509Svid svid = agent.snapshot().svids().values().iterator().next();

      Path leaf = dir.resolve("svid.pem");
      Path chain = dir.resolve("chain.pem");
      Files.write(leaf, Pem.encodeCertificates(List.of(svid.leaf())));
      Files.write(chain, Pem.encodeCertificates(svid.chain().subList(1, svid.chain().size())));
      Path bundle = cp.trustBundleFile();
      Process p = new ProcessBuilder("openssl", "verify", "-CAfile", bundle.toString(), "-untrusted", chain.toString(),
          leaf.toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
      assertThat(out.strip()).isEqualTo(leaf + ": OK");
    }
  }
}

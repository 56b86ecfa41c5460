package io.trustmesh.it.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.grpc.Server;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.trustmesh.agent.AgentConfig;
import io.trustmesh.api.grpc.SvidKeyManager;
import io.trustmesh.api.node.proto.AttestRequest;
import io.trustmesh.api.node.proto.AttestResponse;
import io.trustmesh.api.node.proto.NodeGrpc;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.ca.CertificateAuthority;
import io.trustmesh.core.ca.Issuance;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.svid.X509Svid;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 4, the server half: a joining agent sends its join token only to a peer that proves
 * {@code spiffe://TD/trustmesh/server} with a chain to its trust bundle. An impostor holding a
 * workload SVID of the same CA, or the server's ID from another CA, never sees the token. (With
 * entries for {@code /trustmesh/…} refused, no workload can hold the server's ID from the real CA.)
 */
class AgentRefusesImpostorServerTest {
  @TempDir Path dir;

  @Test
  void aWorkloadSvidOfTheSameCaIsNotTheServer() throws Exception {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      X509Svid workload = AgentIdentities.mintedByTheCa(cp, "spiffe://example.org/web", Clock.systemUTC());
      assertImpostorRefused(cp, workload);
    }
  }

  @Test
  void theServersIdFromAnotherCaIsNotTheServer() throws Exception {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      IssuedCertificate root = Issuance.root(ControlPlane.TD).selfSigned();
      CertificateAuthority attackerCa = CertificateAuthority.of(root.chain(), root.keyPair().orElseThrow().getPrivate());
      IssuedCertificate fake = Issuance.workload(SpiffeId.parse("spiffe://example.org/trustmesh/server"))
          .dnsNames("localhost").signedBy(attackerCa);
      assertImpostorRefused(cp, X509Svid.of(fake.chain(), fake.keyPair().orElseThrow().getPrivate(), "fake server"));
    }
  }

  @Test
  void controlTheHarnessSeesTheTokenWhenThePeerIsTheRealServer() throws Exception {
    try (ControlPlane cp = new ControlPlane(dir)) {
      cp.startServer();
      List<String> tokensSeen = new CopyOnWriteArrayList<>();
      String token = cp.joinToken(ControlPlane.AGENT_ID);
      joinThrough(cp, cp.server.serverSvid(), token, tokensSeen);
      assertThat(tokensSeen).as("with the genuine server SVID the token is sent").containsExactly(token);
    }
  }

  private void assertImpostorRefused(ControlPlane cp, X509Svid svid) throws Exception {
    List<String> tokensSeen = new CopyOnWriteArrayList<>();
    Throwable refused = joinThrough(cp, svid, cp.joinToken(ControlPlane.AGENT_ID), tokensSeen);
    assertThat(refused).isInstanceOf(BadInputException.class).hasMessageStartingWith("attestation failed: UNAVAILABLE");
    assertThat(tokensSeen).as("the impostor never saw the join token").isEmpty();
  }

  /** An agent joins through a node API that presents {@code svid}; returns why the agent failed to start. */
  private Throwable joinThrough(ControlPlane cp, X509Svid svid, String token, List<String> tokensSeen)
      throws Exception {
    Server impostor = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .sslContext(GrpcSslContexts.configure(SslContextBuilder.forServer(new SvidKeyManager(() -> Optional.of(svid))),
            SslProvider.JDK).build())
        .addService(new NodeGrpc.NodeImplBase() {
          @Override
          public void attest(AttestRequest request, StreamObserver<AttestResponse> out) {
            tokensSeen.add(request.getJoinToken());
            out.onNext(AttestResponse.getDefaultInstance());
            out.onCompleted();
          }
        })
        .build()
        .start();
    try {
      AgentConfig config = cp.agentConfig("victim", Optional.of(token));
      config.server = "127.0.0.1:" + impostor.getPort();
      return catchThrowable(() -> cp.startAgent(config));
    } finally {
      impostor.shutdownNow();
      impostor.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}

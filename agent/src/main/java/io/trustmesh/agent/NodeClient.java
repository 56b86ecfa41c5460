package io.trustmesh.agent;

import java.util.TreeMap;
import io.trustmesh.api.node.proto.Bundle;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.trustmesh.api.grpc.Der;
import io.trustmesh.api.grpc.SvidKeyManager;
import io.trustmesh.api.grpc.UnixSockets;
import io.trustmesh.api.node.proto.AttestRequest;
import io.trustmesh.api.node.proto.AttestResponse;
import io.trustmesh.api.node.proto.Entry;
import io.trustmesh.api.node.proto.FetchEntriesRequest;
import io.trustmesh.api.node.proto.FetchEntriesResponse;
import io.trustmesh.api.node.proto.NodeGrpc;
import io.trustmesh.api.node.proto.RefusedSvid;
import io.trustmesh.api.node.proto.RenewAgentRequest;
import io.trustmesh.api.node.proto.SignJwtSvidRequest;
import io.trustmesh.api.node.proto.SignX509SvidsRequest;
import io.trustmesh.api.node.proto.SignX509SvidsResponse;
import io.trustmesh.api.node.proto.SignedSvid;
import io.trustmesh.api.node.proto.SvidRequest;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.ca.Csrs;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.tls.SpiffeTrustManager;
import io.trustmesh.core.tls.TlsDefaults;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of the node API (gRPC over mTLS to the server): attest with a join token, renew
 * the agent SVID, fetch the entries this node serves, get workload X.509-SVIDs and JWT-SVIDs
 * signed. Keys are generated here and never leave the agent; the server sees CSRs only. Turns the
 * node API's messages into the agent's own types ({@link Registration}, {@link X509Svid}).
 *
 * <p>It talks to one server at a time, out of several ({@link ServerAddresses}: a list, or a DNS
 * name with several addresses). A call that fails because the server is gone, overloaded or broken
 * is tried on the next server before it fails; an answer (refused, not found) is never retried
 * elsewhere. All servers share one datastore, so any of them accepts the agent's current SVID.
 */
final class NodeClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeClient.class);
  /** The agent's own SVID as the server issued it, with the bundles it came with. */
  record AgentIssued(X509Svid svid, List<X509Certificate> bundle, String jwks) {}

  /** The entries of this node and the trust domain's current bundles. */
  /** @param reissueNotBefore every SVID whose notBefore is earlier must be re-issued (EPOCH: none) */
  record Fetched(List<Registration> entries, List<X509Certificate> bundle, String jwks,
      Map<String, List<X509Certificate>> federated, Instant reissueNotBefore) {}

  private final ServerAddresses servers;
  private InetSocketAddress server;
  private final Supplier<Optional<X509Svid>> agentSvid;
  private final Supplier<X509BundleSet> bundles;
  private final Supplier<TrustDomain> trustDomain;
  private final Clock clock;
  private EventLoopGroup group;
  private ManagedChannel channel;
  private NodeGrpc.NodeBlockingStub node;

  /**
   * @param agentSvid what to present (empty before attestation)
   * @param bundles the roots to verify the server with
   * @param trustDomain the agent's trust domain once known (null before attestation)
   */
  NodeClient(String server, Supplier<Optional<X509Svid>> agentSvid, Supplier<X509BundleSet> bundles,
      Supplier<TrustDomain> trustDomain, Clock clock) {
    this.servers = ServerAddresses.parse(server);
    this.server = servers.current();
    this.agentSvid = agentSvid;
    this.bundles = bundles;
    this.trustDomain = trustDomain;
    this.clock = clock;
    connect();
  }

  private synchronized void connect() {
    try {
      SslContextBuilder b = GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK)
          .keyManager(new SvidKeyManager(agentSvid))
          .trustManager(new SpiffeTrustManager(bundles::get, peer -> {
            TrustDomain td = trustDomain.get();
            if (!peer.path().equals("/trustmesh/server") || (td != null && !peer.memberOf(td))) {
              return "expected the trustmesh server of " + (td == null ? "the trust bundle's domain" : td)
                  + ", got " + peer;
            }
            return null;
          }, clock))
          .endpointIdentificationAlgorithm(null)
          .protocols(TlsDefaults.PROTOCOLS);
      group = new NioEventLoopGroup(1, UnixSockets.daemonThreads("trustmesh-agent-node"));
      channel = NettyChannelBuilder.forAddress(server)
          .eventLoopGroup(group)
          .channelType(NioSocketChannel.class)
          .sslContext(b.build())
          .overrideAuthority("trustmesh-server")
          .build();
      node = NodeGrpc.newBlockingStub(channel);
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS to the server: " + e.getMessage(), e);
    }
  }

  /** A new connection, so that the server sees the current agent SVID (TLS presents it per handshake). */
  synchronized void reconnect() {
    ManagedChannel old = channel;
    EventLoopGroup oldGroup = group;
    connect();
    old.shutdown();
    oldGroup.shutdownGracefully(1, 5, TimeUnit.SECONDS);
  }

  private synchronized NodeGrpc.NodeBlockingStub node(int seconds) {
    return node.withDeadlineAfter(seconds, TimeUnit.SECONDS);
  }

  /** The server the agent talks to now. */
  synchronized InetSocketAddress server() {
    return server;
  }

  /**
   * Runs {@code call} on the current server, and on each other server in turn while it fails with
   * an error of the server rather than an answer.
   */
  private <T> T failover(Function<NodeGrpc.NodeBlockingStub, T> call, int seconds) {
    StatusRuntimeException last = null;
    int tries = Math.max(1, servers.size());
    for (int i = 0; i < tries; i++) {
      try {
        return call.apply(node(seconds));
      } catch (StatusRuntimeException e) {
        if (!serverFault(e.getStatus().getCode())) {
          throw e;
        }
        last = e;
        if (servers.size() > 1) {
          moveOn();
        }
      }
    }
    throw last;
  }

  private static boolean serverFault(Status.Code code) {
    return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED || code == Status.Code.INTERNAL
        || code == Status.Code.UNKNOWN || code == Status.Code.RESOURCE_EXHAUSTED || code == Status.Code.ABORTED;
  }

  private synchronized void moveOn() {
    InetSocketAddress from = server;
    server = servers.next();
    LOG.warn("server {} failed; trying {}", from, server);
    reconnect();
  }

  AgentIssued attest(String joinToken) {
    KeyPair kp = KeyType.DEFAULT.generate();
    AttestRequest request = AttestRequest.newBuilder().setJoinToken(joinToken)
        .setCsr(ByteString.copyFrom(Csrs.create(kp))).build();
    return issued(failover(n -> n.attest(request), 30), kp);
  }

  AgentIssued renewAgent() {
    KeyPair kp = KeyType.DEFAULT.generate();
    RenewAgentRequest request = RenewAgentRequest.newBuilder().setCsr(ByteString.copyFrom(Csrs.create(kp))).build();
    return issued(failover(n -> n.renewAgent(request), 10), kp);
  }

  private static AgentIssued issued(AttestResponse r, KeyPair kp) {
    X509Svid svid = X509Svid.of(Der.certificates(r.getSvidChainList()), kp.getPrivate(), "the agent SVID");
    return new AgentIssued(svid, Der.certificates(r.getBundle().getX509AuthoritiesList()),
        r.getBundle().getJwtAuthoritiesJwks());
  }

  Fetched fetch() {
    FetchEntriesResponse r = failover(n -> n.fetchEntries(FetchEntriesRequest.getDefaultInstance()), 10);
    return new Fetched(registrations(r.getEntriesList()), Der.certificates(r.getBundle().getX509AuthoritiesList()),
        r.getBundle().getJwtAuthoritiesJwks(), federated(r.getFederatedBundlesList()),
        Instant.ofEpochSecond(r.getReissueSvidsNotBefore()));
  }

  /** The federated bundles by trust domain name; one without authorities is dropped. */
  static Map<String, List<X509Certificate>> federated(List<Bundle> bundles) {
    Map<String, List<X509Certificate>> out = new TreeMap<>();
    for (Bundle b : bundles) {
      List<X509Certificate> certs = Der.certificates(b.getX509AuthoritiesList());
      if (!certs.isEmpty()) {
        out.put(TrustDomain.parse(b.getTrustDomain()).name(), certs);
      }
    }
    return out;
  }

  /** What one batch got: new SVIDs by entry id, and the server's reason for each entry it refused. */
  record Signed(Map<String, X509Svid> svids, Map<String, String> refused) {}

  /** New X.509-SVIDs (fresh keys) for the given entries, in one call. */
  Signed sign(Collection<String> entryIds) {
    Map<String, KeyPair> keys = new LinkedHashMap<>();
    List<SvidRequest> requests = new ArrayList<>();
    for (String id : entryIds) {
      KeyPair kp = KeyType.DEFAULT.generate();
      keys.put(id, kp);
      requests.add(SvidRequest.newBuilder().setEntryId(id).setCsr(ByteString.copyFrom(Csrs.create(kp))).build());
    }
    Map<String, X509Svid> out = new LinkedHashMap<>();
    Map<String, String> refused = new LinkedHashMap<>();
    if (requests.isEmpty()) {
      return new Signed(out, refused);
    }
    SignX509SvidsRequest request = SignX509SvidsRequest.newBuilder().addAllRequests(requests).build();
    SignX509SvidsResponse signed = failover(n -> n.signX509Svids(request), 30);
    for (SignedSvid sv : signed.getSvidsList()) {
      KeyPair kp = keys.get(sv.getEntryId());
      if (kp == null) {
        continue; // the server answered for an entry not asked for: ignore it
      }
      out.put(sv.getEntryId(), X509Svid.of(Der.certificates(sv.getSvidChainList()), kp.getPrivate(),
          "the SVID of entry " + sv.getEntryId()));
    }
    for (RefusedSvid r : signed.getRefusedList()) {
      refused.put(r.getEntryId(), r.getReason());
    }
    return new Signed(out, refused);
  }

  /** A JWT-SVID of an entry this agent serves (a live call: JWT-SVIDs are short-lived). */
  String signJwt(String entryId, List<String> audience) {
    SignJwtSvidRequest request = SignJwtSvidRequest.newBuilder().setEntryId(entryId).addAllAudience(audience).build();
    return failover(n -> n.signJwtSvid(request), 10).getToken();
  }

  static List<Registration> registrations(List<Entry> entries) {
    return entries.stream().map(NodeClient::registration).toList();
  }

  static Registration registration(Entry e) {
    return new Registration(e.getId(), e.getSpiffeId(), e.getSelectorsList(), e.getHint(), e.getFederatesWithList());
  }

  @Override
  public synchronized void close() {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}

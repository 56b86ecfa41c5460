package io.trustmesh.server;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.trustmesh.api.node.proto.NodeGrpc;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.x509.Serials;
import io.trustmesh.server.datastore.AttestedNode;
import io.trustmesh.server.datastore.AuditEvent;
import io.trustmesh.server.datastore.DataStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, on every node API call except Attest, which agent is calling. A SPIFFE ID alone proves
 * nothing (any certificate the CA ever signed carries one, and the CA signs workloads too): the
 * caller must present the one agent SVID pinned in its attested-node record, by serial, and it must
 * be valid now. Checked against the datastore on every call, not once per connection or TLS session,
 * so an eviction or a renewal takes effect at once and a resumed session admits nothing a fresh
 * check would refuse.
 *
 * <p>A renewed SVID is pending until its first use; that use makes it the current one and from
 * then on the previous SVID (and any copy of it) is refused, as in SPIRE.
 */
final class AgentAuthenticator implements ServerInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(AgentAuthenticator.class);

  /** The authenticated caller: its ID and the serial of the SVID it presented. */
  record Agent(SpiffeId id, String serial) {}

  static final Context.Key<Agent> AGENT = Context.key("trustmesh-agent");

  private final DataStore store;
  private final Clock clock;

  AgentAuthenticator(DataStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  @Override
  public <Q, S> ServerCall.Listener<Q> interceptCall(ServerCall<Q, S> call, Metadata headers,
      ServerCallHandler<Q, S> next) {
    if (call.getMethodDescriptor().getFullMethodName().equals(NodeGrpc.getAttestMethod().getFullMethodName())) {
      return next.startCall(call, headers);
    }
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    X509Certificate leaf;
    SpiffeId id;
    try {
      Certificate[] peer = session == null ? new Certificate[0] : session.getPeerCertificates();
      leaf = (X509Certificate) peer[0];
      id = X509Svid.spiffeIdOf(leaf, "the client certificate");
    } catch (SSLPeerUnverifiedException | RuntimeException e) {
      return refuse(call, Status.UNAUTHENTICATED.withDescription("an agent SVID is required"));
    }
    String serial = Serials.hex(leaf.getSerialNumber());
    Optional<String> refusal = check(id, serial, leaf.getNotAfter().toInstant());
    if (refusal.isPresent()) {
      LOG.warn("node API: refused {} (serial {}): {}", id, serial, refusal.get());
      store.audit(new AuditEvent(clock.instant(), "node.auth.refused", id.toString(), serial, refusal.get()));
      return refuse(call, Status.PERMISSION_DENIED.withDescription(id + " " + refusal.get()));
    }
    return Contexts.interceptCall(Context.current().withValue(AGENT, new Agent(id, serial)), call, headers, next);
  }

  /** Why this SVID may not act as agent {@code id} now, or empty if it may. */
  private Optional<String> check(SpiffeId id, String serial, Instant notAfter) {
    if (!clock.instant().isBefore(notAfter)) {
      return Optional.of("presented an expired agent SVID (serial " + serial + ", expired " + notAfter + ")");
    }
    Optional<AttestedNode> node = store.attestedNode(id);
    if (node.isEmpty()) {
      return Optional.of("is not an attested agent");
    }
    AttestedNode n = node.get();
    if (n.banned()) {
      return Optional.of("was evicted; it must attest again with a new join token");
    }
    if (serial.equals(n.serial())) {
      return Optional.empty();
    }
    if (n.pendingSerial().filter(serial::equals).isPresent() && store.activateAttestedNodeSvid(id, serial)) {
      LOG.info("agent {} now uses its renewed SVID {}; serial {} is refused from now on", id, serial, n.serial());
      return Optional.empty();
    }
    return Optional.of("presented SVID serial " + serial + ", which is not its current agent SVID"
        + " (superseded by a renewal, or not issued to this agent)");
  }

  private static <Q, S> ServerCall.Listener<Q> refuse(ServerCall<Q, S> call, Status status) {
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }
}

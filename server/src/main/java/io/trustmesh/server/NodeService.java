package io.trustmesh.server;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.trustmesh.api.grpc.Der;
import io.trustmesh.api.node.proto.AttestRequest;
import io.trustmesh.api.node.proto.AttestResponse;
import io.trustmesh.api.node.proto.Bundle;
import io.trustmesh.api.node.proto.FetchEntriesRequest;
import io.trustmesh.api.node.proto.FetchEntriesResponse;
import io.trustmesh.api.node.proto.NodeGrpc;
import io.trustmesh.api.node.proto.RefusedSvid;
import io.trustmesh.api.node.proto.RenewAgentRequest;
import io.trustmesh.api.node.proto.SignX509SvidsRequest;
import io.trustmesh.api.node.proto.SignX509SvidsResponse;
import io.trustmesh.api.node.proto.SignedSvid;
import io.trustmesh.api.node.proto.SvidRequest;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.ca.IssuedCertificate;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.server.federation.SpiffeBundle;
import java.util.Comparator;
import java.util.Set;
import java.util.TreeSet;
import io.trustmesh.core.x509.Serials;
import io.trustmesh.server.ca.SigningAuthority;
import io.trustmesh.server.datastore.AttestedNode;
import io.trustmesh.server.datastore.AuditEvent;
import io.trustmesh.server.datastore.DataStore;
import io.trustmesh.server.datastore.JoinToken;
import io.trustmesh.server.datastore.RegistrationEntry;
import io.trustmesh.server.internal.Protos;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node API: join-token attestation, agent SVID renewal, the entries an agent serves, and
 * workload CSR signing — only for SPIFFE IDs that an entry grants to the calling agent.
 */
final class NodeService extends NodeGrpc.NodeImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(NodeService.class);

  private final DataStore store;
  private final SigningAuthority authority;
  private final Issuer issuer;
  private final Clock clock;
  private final Duration svidTtl;
  private final Metrics metrics;
  private final io.trustmesh.server.ca.JwtAuthority jwt;
  private final IdentityRules identities;

  NodeService(DataStore store, SigningAuthority authority, Issuer issuer, Clock clock, Duration svidTtl,
      Metrics metrics, io.trustmesh.server.ca.JwtAuthority jwt, IdentityRules identities) {
    this.jwt = jwt;
    this.identities = identities;
    this.store = store;
    this.authority = authority;
    this.issuer = issuer;
    this.clock = clock;
    this.svidTtl = svidTtl;
    this.metrics = metrics;
  }

  Bundle bundle() {
    return Bundle.newBuilder().setTrustDomain(authority.trustDomain().name())
        .addAllX509Authorities(Der.each(authority.bundle())).setSequence(authority.bundleSequence())
        .setJwtAuthoritiesJwks(jwt.jwks()).build();
  }

  @Override
  public void attest(AttestRequest request, StreamObserver<AttestResponse> out) {
    Optional<JoinToken> token = store.redeemJoinToken(request.getJoinToken(), clock.instant());
    if (token.isEmpty()) {
      metrics.attestationFailures.incrementAndGet();
      store.audit(new AuditEvent(clock.instant(), "node.attest.refused", "join_token", "", "unknown, used or expired"));
      out.onError(Status.PERMISSION_DENIED.withDescription("join token is unknown, already used or expired")
          .asRuntimeException());
      return;
    }
    SpiffeId id = token.get().spiffeId();
    try {
      IssuedCertificate c = issueAgent(id, request.getCsr().toByteArray(), "join_token");
      // Pins this SVID as the node's only accepted one; replaces an evicted record too.
      store.saveAttestedNode(new AttestedNode(id, "join_token", Serials.hex(c.serialNumber()),
          c.notAfter(), clock.instant()));
      store.audit(new AuditEvent(clock.instant(), "node.attest", "join_token", id.toString(), "join_token"));
      metrics.attestations.incrementAndGet();
      LOG.info("agent {} attested with a join token", id);
      out.onNext(AttestResponse.newBuilder().setSpiffeId(id.toString()).addAllSvidChain(Der.eachEncoded(c.encodedChain()))
          .setBundle(bundle()).build());
      out.onCompleted();
    } catch (RuntimeException e) {
      out.onError(asStatus(e));
    }
  }

  private IssuedCertificate issueAgent(SpiffeId id, byte[] csr, String requestedBy) {
    return issuer.sign(List.of(new Issuer.Request(csr, id, svidTtl, List.of())), requestedBy).get(0);
  }

  @Override
  public void renewAgent(RenewAgentRequest request, StreamObserver<AttestResponse> out) {
    AgentAuthenticator.Agent caller = AgentAuthenticator.AGENT.get();
    SpiffeId agent = caller.id();
    try {
      IssuedCertificate c = issueAgent(agent, request.getCsr().toByteArray(), agent.toString());
      // Only the current SVID renews (compare-and-set on its serial); the new one is pending until used.
      if (!store.renewAttestedNode(agent, caller.serial(), Serials.hex(c.serialNumber()), c.notAfter())) {
        store.audit(new AuditEvent(clock.instant(), "node.renew.refused", agent.toString(), caller.serial(),
            "not the current agent SVID, or evicted"));
        out.onError(Status.PERMISSION_DENIED.withDescription(agent + " may not renew with SVID serial "
            + caller.serial() + ": not its current agent SVID, or the agent was evicted").asRuntimeException());
        return;
      }
      out.onNext(AttestResponse.newBuilder().setSpiffeId(agent.toString()).addAllSvidChain(Der.eachEncoded(c.encodedChain()))
          .setBundle(bundle()).build());
      out.onCompleted();
    } catch (RuntimeException e) {
      out.onError(asStatus(e));
    }
  }

  @Override
  public void fetchEntries(FetchEntriesRequest request, StreamObserver<FetchEntriesResponse> out) {
    SpiffeId agent = AgentAuthenticator.AGENT.get().id();
    FetchEntriesResponse.Builder b = FetchEntriesResponse.newBuilder().setBundle(bundle())
        .setReissueSvidsNotBefore(store.svidsNotBefore().getEpochSecond());
    Set<TrustDomain> federated = new TreeSet<>(Comparator.comparing(TrustDomain::name));
    for (RegistrationEntry e : store.listEntries(Optional.of(agent), Optional.empty())) {
      Optional<String> forbidden = identities.whyNotAWorkload(e.spiffeId());
      if (forbidden.isPresent()) {
        // An entry stored before the rule existed: never served (it would fail the agent's whole batch).
        LOG.warn("not serving entry {} to {}: {} {}", e.id(), agent, e.spiffeId(), forbidden.get());
        continue;
      }
      b.addEntries(Protos.toProto(e));
      federated.addAll(e.federatesWith());
    }
    // Only the bundles the agent's entries ask for, and only while the relationship exists: a
    // deleted federation's bundle stops reaching agents with their next sync.
    for (TrustDomain td : federated) {
      store.federation(td).filter(f -> !f.bundleJson().isEmpty()).ifPresent(f -> {
        SpiffeBundle sb = SpiffeBundle.parse(td, f.bundleJson());
        b.addFederatedBundles(Bundle.newBuilder().setTrustDomain(td.name())
            .addAllX509Authorities(Der.each(sb.x509Authorities())).setSequence(sb.sequence())
            .setJwtAuthoritiesJwks(sb.jwtAuthoritiesJwks()));
      });
    }
    out.onNext(b.build());
    out.onCompleted();
  }

  /**
   * Signs each request whose entry is granted to the calling agent; the identity always comes from
   * the entry, never from the CSR. A request for an entry the agent may not have is refused (and
   * audited) on its own, so that one entry deleted or moved between the agent's fetch and its batch
   * does not cost the agent every other renewal; a batch whose every request is refused fails with
   * PERMISSION_DENIED naming the first.
   */
  @Override
  public void signX509Svids(SignX509SvidsRequest request, StreamObserver<SignX509SvidsResponse> out) {
    SpiffeId agent = AgentAuthenticator.AGENT.get().id();
    List<Issuer.Request> batch = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    SignX509SvidsResponse.Builder b = SignX509SvidsResponse.newBuilder();
    for (SvidRequest r : request.getRequestsList()) {
      Optional<RegistrationEntry> e = store.entry(r.getEntryId());
      Optional<String> refusal = refusal(r.getEntryId(), e, agent);
      if (refusal.isPresent()) {
        metrics.failures.incrementAndGet();
        store.audit(new AuditEvent(clock.instant(), "svid.refused", agent.toString(), r.getEntryId(), refusal.get()));
        b.addRefused(RefusedSvid.newBuilder().setEntryId(r.getEntryId()).setReason(refusal.get()));
        continue;
      }
      Duration ttl = e.get().ttl().isZero() ? svidTtl : e.get().ttl();
      batch.add(new Issuer.Request(r.getCsr().toByteArray(), e.get().spiffeId(), ttl, e.get().dnsNames()));
      ids.add(r.getEntryId());
    }
    if (batch.isEmpty() && b.getRefusedCount() > 0) {
      out.onError(Status.PERMISSION_DENIED.withDescription(b.getRefused(0).getReason()).asRuntimeException());
      return;
    }
    try {
      List<IssuedCertificate> signed = issuer.sign(batch, agent.toString());
      for (int i = 0; i < signed.size(); i++) {
        b.addSvids(SignedSvid.newBuilder().setEntryId(ids.get(i)).addAllSvidChain(Der.eachEncoded(signed.get(i).encodedChain())));
      }
      out.onNext(b.build());
      out.onCompleted();
    } catch (RuntimeException e) {
      out.onError(asStatus(e));
    }
  }

  /** Why {@code agent} may not have an SVID of entry {@code entryId} (found as {@code e}), if it may not. */
  private Optional<String> refusal(String entryId, Optional<RegistrationEntry> e, SpiffeId agent) {
    if (e.isEmpty() || !e.get().parentId().equals(agent)) {
      return Optional.of("no registration entry " + entryId + " grants an SVID to agent " + agent);
    }
    return identities.whyNotAWorkload(e.get().spiffeId())
        .map(why -> "entry " + entryId + ": " + e.get().spiffeId() + " " + why);
  }

  @Override
  public void signJwtSvid(io.trustmesh.api.node.proto.SignJwtSvidRequest request,
      StreamObserver<io.trustmesh.api.node.proto.SignJwtSvidResponse> out) {
    SpiffeId agent = AgentAuthenticator.AGENT.get().id();
    Optional<RegistrationEntry> e = store.entry(request.getEntryId());
    if (e.isEmpty() || !e.get().parentId().equals(agent)) {
      metrics.failures.incrementAndGet();
      out.onError(Status.PERMISSION_DENIED.withDescription("no registration entry " + request.getEntryId()
          + " grants a JWT-SVID to agent " + agent).asRuntimeException());
      return;
    }
    if (refusedIdentity(e.get(), agent, out)) {
      return;
    }
    if (request.getAudienceCount() == 0) {
      out.onError(Status.INVALID_ARGUMENT.withDescription("a JWT-SVID needs at least one audience").asRuntimeException());
      return;
    }
    String token = jwt.sign(e.get().spiffeId(), request.getAudienceList(), io.trustmesh.server.ca.JwtAuthority.DEFAULT_TTL);
    store.audit(new AuditEvent(clock.instant(), "jwt_svid.issue", agent.toString(), e.get().spiffeId().toString(),
        "audience " + request.getAudienceList()));
    out.onNext(io.trustmesh.api.node.proto.SignJwtSvidResponse.newBuilder().setSpiffeId(e.get().spiffeId().toString())
        .setToken(token).build());
    out.onCompleted();
  }

  /** Refuses (and audits) an entry whose SPIFFE ID no workload may hold, whatever the datastore says. */
  private boolean refusedIdentity(RegistrationEntry e, SpiffeId agent, StreamObserver<?> out) {
    Optional<String> forbidden = identities.whyNotAWorkload(e.spiffeId());
    if (forbidden.isEmpty()) {
      return false;
    }
    metrics.failures.incrementAndGet();
    store.audit(new AuditEvent(clock.instant(), "svid.refused", agent.toString(), e.id(),
        e.spiffeId() + " " + forbidden.get()));
    out.onError(Status.PERMISSION_DENIED.withDescription("entry " + e.id() + ": " + e.spiffeId() + " "
        + forbidden.get()).asRuntimeException());
    return true;
  }

  static StatusRuntimeException asStatus(RuntimeException e) {
    if (e instanceof StatusRuntimeException s) {
      return s;
    }
    if (e instanceof IllegalArgumentException || e instanceof BadInputException) {
      return Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
    }
    LOG.warn("node API call failed", e);
    return Status.INTERNAL.withDescription(e.getMessage()).asRuntimeException();
  }
}

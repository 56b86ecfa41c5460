package io.trustmesh.server;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.trustmesh.api.admin.proto.AdminGrpc;
import io.trustmesh.api.admin.proto.CreateEntryRequest;
import io.trustmesh.api.admin.proto.CreateJoinTokenRequest;
import io.trustmesh.api.admin.proto.CreateJoinTokenResponse;
import io.trustmesh.api.admin.proto.EvictAgentRequest;
import io.trustmesh.api.admin.proto.EvictAgentResponse;
import io.trustmesh.api.admin.proto.GetBundleRequest;
import io.trustmesh.api.admin.proto.GetBundleResponse;
import io.trustmesh.api.admin.proto.GetEntryRequest;
import io.trustmesh.api.admin.proto.ListEntriesRequest;
import io.trustmesh.api.admin.proto.ListEntriesResponse;
import io.trustmesh.api.node.proto.Entry;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.server.ca.RotationSchedule;
import io.trustmesh.server.ca.SigningAuthority;
import io.trustmesh.server.datastore.DataStore;
import io.trustmesh.server.datastore.JoinToken;
import io.trustmesh.server.datastore.RegistrationEntry;
import io.trustmesh.server.internal.Protos;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The admin API on the admin unix socket: join tokens, registration entries, the bundle. */
final class AdminService extends AdminGrpc.AdminImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(AdminService.class);
  static final Duration DEFAULT_TOKEN_TTL = Duration.ofHours(1);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ACTOR = "admin";

  private final DataStore store;
  private final SigningAuthority authority;
  private final Clock clock;
  private final Supplier<GetBundleResponse> bundle;
  private final IdentityRules identities;

  AdminService(DataStore store, SigningAuthority authority, Clock clock, Supplier<GetBundleResponse> bundle,
      IdentityRules identities) {
    this.store = store;
    this.authority = authority;
    this.clock = clock;
    this.bundle = bundle;
    this.identities = identities;
  }

  private interface Call<T> {
    T run();
  }

  private static <T> void answer(StreamObserver<T> out, Call<T> call) {
    try {
      out.onNext(call.run());
      out.onCompleted();
    } catch (BadInputException | IllegalArgumentException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
    } catch (io.grpc.StatusRuntimeException e) {
      out.onError(e);
    } catch (RuntimeException e) {
      out.onError(Status.INTERNAL.withDescription(String.valueOf(e.getMessage())).asRuntimeException());
    }
  }

  @Override
  public void createJoinToken(CreateJoinTokenRequest r, StreamObserver<CreateJoinTokenResponse> out) {
    answer(out, () -> {
      SpiffeId id = identities.agentId(r.getSpiffeId());
      Duration ttl = r.getTtlSeconds() > 0 ? Duration.ofSeconds(r.getTtlSeconds()) : DEFAULT_TOKEN_TTL;
      byte[] raw = new byte[16];
      RANDOM.nextBytes(raw);
      String token = HexFormat.of().formatHex(raw);
      Instant expires = clock.instant().plus(ttl);
      store.createJoinToken(new JoinToken(token, id, expires), ACTOR);
      return CreateJoinTokenResponse.newBuilder().setToken(token).setSpiffeId(id.toString())
          .setExpiresAtEpochSeconds(expires.getEpochSecond()).build();
    });
  }

  @Override
  public void createEntry(CreateEntryRequest r, StreamObserver<Entry> out) {
    answer(out, () -> {
      RegistrationEntry e = Protos.fromProto(r.getEntry(), clock.instant());
      Selectors.validateAll(e.selectors());
      identities.workloadId(e.spiffeId());
      identities.inTrustDomain(e.parentId().toString(), "parent ID");
      if (!e.ttl().isZero()) {
        RotationSchedule.check(authority.caTtl(), e.ttl(), "entry TTL");
      }
      return Protos.toProto(store.createEntry(e, ACTOR));
    });
  }

  @Override
  public void listEntries(ListEntriesRequest r, StreamObserver<ListEntriesResponse> out) {
    answer(out, () -> {
      Optional<SpiffeId> parent = r.getParentId().isEmpty() ? Optional.empty() : Optional.of(SpiffeId.parse(r.getParentId()));
      Optional<SpiffeId> id = r.getSpiffeId().isEmpty() ? Optional.empty() : Optional.of(SpiffeId.parse(r.getSpiffeId()));
      ListEntriesResponse.Builder b = ListEntriesResponse.newBuilder();
      store.listEntries(parent, id).forEach(e -> b.addEntries(Protos.toProto(e)));
      return b.build();
    });
  }

  @Override
  public void getEntry(GetEntryRequest r, StreamObserver<Entry> out) {
    answer(out, () -> store.entry(r.getId()).map(Protos::toProto).orElseThrow(() ->
        Status.NOT_FOUND.withDescription("no registration entry with id " + r.getId()).asRuntimeException()));
  }

  @Override
  public void deleteEntry(GetEntryRequest r, StreamObserver<Entry> out) {
    answer(out, () -> store.deleteEntry(r.getId(), ACTOR).map(Protos::toProto).orElseThrow(() ->
        Status.NOT_FOUND.withDescription("no registration entry with id " + r.getId()).asRuntimeException()));
  }

  @Override
  public void evictAgent(EvictAgentRequest r, StreamObserver<EvictAgentResponse> out) {
    answer(out, () -> {
      SpiffeId id = identities.inTrustDomain(r.getSpiffeId(), "agent SPIFFE ID");
      DataStore.Eviction e = store.evictNode(id, ACTOR, clock.instant());
      if (!e.happened()) {
        throw Status.NOT_FOUND.withDescription("no agent " + id + " has attested or holds a join token")
            .asRuntimeException();
      }
      LOG.warn("evicted agent {}: its SVIDs are refused until it attests with a new join token", id);
      return EvictAgentResponse.newBuilder().setSpiffeId(id.toString())
          .setSerial(e.node().map(n -> n.serial()).orElse("")).setDeletedJoinTokens(e.deletedTokens()).build();
    });
  }

  @Override
  public void getBundle(GetBundleRequest r, StreamObserver<GetBundleResponse> out) {
    answer(out, bundle::get);
  }
}

package io.trustmesh.server;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.trustmesh.api.admin.proto.AdminGrpc;
import io.trustmesh.api.admin.proto.CreateEntryRequest;
import io.trustmesh.api.admin.proto.CreateJoinTokenRequest;
import io.trustmesh.api.admin.proto.CreateJoinTokenResponse;
import io.trustmesh.api.admin.proto.EvictAgentRequest;
import io.trustmesh.api.admin.proto.Federation;
import io.trustmesh.api.admin.proto.GetFederationRequest;
import io.trustmesh.api.admin.proto.ListFederationsRequest;
import io.trustmesh.api.admin.proto.ListFederationsResponse;
import io.trustmesh.api.admin.proto.EvictAgentResponse;
import io.trustmesh.api.admin.proto.GetBundleRequest;
import io.trustmesh.api.admin.proto.GetBundleResponse;
import io.trustmesh.api.admin.proto.GetEntryRequest;
import io.trustmesh.api.admin.proto.ListEntriesRequest;
import io.trustmesh.api.admin.proto.ListEntriesResponse;
import io.trustmesh.api.admin.proto.GetRotationStatusRequest;
import io.trustmesh.api.admin.proto.RotateRequest;
import io.trustmesh.api.admin.proto.RotationStatus;
import io.trustmesh.api.node.proto.Entry;
import io.trustmesh.core.BadInputException;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.server.ca.RotationSchedule;
import io.trustmesh.server.ca.SigningAuthority;
import io.trustmesh.server.datastore.DataStore;
import io.trustmesh.server.datastore.JoinToken;
import io.trustmesh.server.datastore.RegistrationEntry;
import io.trustmesh.server.datastore.FederationRelationship;
import io.trustmesh.server.federation.SpiffeBundle;
import io.trustmesh.server.internal.Protos;
import java.net.URI;
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
  private final ForcedRotation rotation;

  AdminService(DataStore store, SigningAuthority authority, Clock clock, Supplier<GetBundleResponse> bundle,
      IdentityRules identities, ForcedRotation rotation) {
    this.rotation = rotation;
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

  // ------------------------------------------------------------------ forced rotation

  @Override
  public void rotate(RotateRequest r, StreamObserver<RotationStatus> out) {
    answer(out, () -> {
      if (r.getPropagationSeconds() < 0) {
        throw new BadInputException("propagation must not be negative: " + r.getPropagationSeconds() + "s");
      }
      LOG.warn("forced rotation asked on the admin socket: ca={} svids={}", r.getCa(), r.getSvids());
      return rotation.rotate(r.getCa(), r.getSvids(), Duration.ofSeconds(r.getPropagationSeconds()), ACTOR);
    });
  }

  @Override
  public void getRotationStatus(GetRotationStatusRequest r, StreamObserver<RotationStatus> out) {
    answer(out, rotation::status);
  }

  // ------------------------------------------------------------------ federation

  @Override
  public void createFederation(Federation r, StreamObserver<Federation> out) {
    answer(out, () -> {
      TrustDomain td = TrustDomain.parse(r.getTrustDomain());
      if (td.equals(authority.trustDomain())) {
        throw new BadInputException("cannot federate with our own trust domain " + td.name());
      }
      FederationRelationship.Profile profile = FederationRelationship.Profile.parse(r.getProfile());
      SpiffeId endpointId = r.getEndpointSpiffeId().isEmpty() ? td.newSpiffeId("trustmesh", "server")
          : SpiffeId.parse(r.getEndpointSpiffeId());
      String json = "";
      long sequence = -1;
      if (!r.getInitialBundleJson().isEmpty()) {
        SpiffeBundle b = SpiffeBundle.parse(td, r.getInitialBundleJson());
        json = SpiffeBundleJson.render(b.x509Authorities(), b.jwtAuthoritiesJwks(), b.sequence(),
            b.refreshHint().orElse(Duration.ofMinutes(5)));
        sequence = b.sequence();
      } else if (profile == FederationRelationship.Profile.HTTPS_SPIFFE) {
        throw new BadInputException("profile https_spiffe needs the foreign trust domain's current bundle (--bundle"
            + " FILE): it is what authenticates the bundle endpoint");
      }
      FederationRelationship f = new FederationRelationship(td, URI.create(r.getBundleEndpointUrl()), profile, endpointId, json,
          sequence, clock.instant(), "", clock.instant());
      LOG.info("federating with {} via {} ({})", td.name(), f.bundleEndpointUrl(), profile.wireName());
      return toProto(store.createFederation(f, ACTOR));
    });
  }

  @Override
  public void listFederations(ListFederationsRequest r, StreamObserver<ListFederationsResponse> out) {
    answer(out, () -> ListFederationsResponse.newBuilder()
        .addAllFederations(store.listFederations().stream().map(AdminService::toProto).toList()).build());
  }

  @Override
  public void getFederation(GetFederationRequest r, StreamObserver<Federation> out) {
    answer(out, () -> store.federation(TrustDomain.parse(r.getTrustDomain())).map(AdminService::toProto)
        .orElseThrow(() -> Status.NOT_FOUND.withDescription("no federation with trust domain " + r.getTrustDomain())
            .asRuntimeException()));
  }

  @Override
  public void deleteFederation(GetFederationRequest r, StreamObserver<Federation> out) {
    answer(out, () -> store.deleteFederation(TrustDomain.parse(r.getTrustDomain()), ACTOR).map(AdminService::toProto)
        .orElseThrow(() -> Status.NOT_FOUND.withDescription("no federation with trust domain " + r.getTrustDomain())
            .asRuntimeException()));
  }

  private static Federation toProto(FederationRelationship f) {
    int authorities = f.bundleJson().isEmpty() ? 0
        : SpiffeBundle.parse(f.trustDomain(), f.bundleJson()).x509Authorities().size();
    return Federation.newBuilder().setTrustDomain(f.trustDomain().name())
        .setBundleEndpointUrl(f.bundleEndpointUrl().toString()).setProfile(f.profile().wireName())
        .setEndpointSpiffeId(f.endpointId().toString()).setSequence(f.sequence())
        .setRefreshedAtEpochSeconds(f.refreshedAt().getEpochSecond()).setLastError(f.lastError())
        .setX509Authorities(authorities).build();
  }
}

package io.trustmesh.agent;

import java.util.Comparator;
import java.util.TreeMap;
import io.trustmesh.core.spiffe.TrustDomain;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.trustmesh.api.grpc.Der;
import io.trustmesh.api.workload.proto.JWTBundlesRequest;
import io.trustmesh.api.workload.proto.JWTBundlesResponse;
import io.trustmesh.api.workload.proto.JWTSVIDRequest;
import io.trustmesh.api.workload.proto.JWTSVID;
import io.trustmesh.api.workload.proto.JWTSVIDResponse;
import io.trustmesh.api.jwt.JwtSvids;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.trustmesh.api.workload.proto.SpiffeWorkloadAPIGrpc;
import io.trustmesh.api.workload.proto.ValidateJWTSVIDRequest;
import io.trustmesh.api.workload.proto.ValidateJWTSVIDResponse;
import io.trustmesh.api.workload.proto.X509BundlesRequest;
import io.trustmesh.api.workload.proto.X509BundlesResponse;
import io.trustmesh.api.workload.proto.X509SVID;
import io.trustmesh.api.workload.proto.X509SVIDRequest;
import io.trustmesh.api.workload.proto.X509SVIDResponse;
import io.trustmesh.core.svid.X509Svid;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SPIFFE Workload API as the agent serves it. Every call must carry the
 * {@code workload.spiffe.io: true} header; the caller is attested from its unix peer credentials
 * and gets exactly the SVIDs of the entries whose selectors it matches. The streaming calls push a
 * full update on every rotation.
 */
final class WorkloadApiService extends SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(WorkloadApiService.class);
  private final WorkloadIdentities agent;

  WorkloadApiService(WorkloadIdentities agent) {
    this.agent = agent;
  }

  /**
   * Each SVID's chain and key as sent, encoded once per SVID rather than once per stream and update
   * (an agent with a thousand streams sends them all after every renewal). Keyed by identity: an
   * {@link X509Svid} is never changed, a renewal is a new one; entries go with their SVID.
   */
  private final Map<X509Svid, X509SVID> encodedSvids = Collections.synchronizedMap(new WeakHashMap<>());
  /** The last bundle encoded: the list of a snapshot, and its encoding. */
  private volatile Map.Entry<List<X509Certificate>, ByteString> encodedBundle = Map.entry(List.of(), ByteString.EMPTY);

  private X509SVID encoded(X509Svid s) {
    return encodedSvids.computeIfAbsent(s, svid -> X509SVID.newBuilder().setSpiffeId(svid.spiffeId().toString())
        .setX509Svid(Der.concat(svid.chain())).setX509SvidKey(ByteString.copyFrom(svid.privateKey().getEncoded()))
        .build());
  }

  private ByteString encodedBundle(List<X509Certificate> bundle) {
    Map.Entry<List<X509Certificate>, ByteString> last = encodedBundle;
    if (last.getKey() == bundle) {
      return last.getValue();
    }
    ByteString b = Der.concat(bundle);
    encodedBundle = Map.entry(bundle, b);
    return b;
  }

  private static final Status NOTHING = Status.PERMISSION_DENIED.withDescription("no identity issued");

  @Override
  public void fetchX509SVID(X509SVIDRequest request, StreamObserver<X509SVIDResponse> out) {
    Set<String> selectors = CallerAttestation.SELECTORS.get();
    stream(out, () -> {
      List<Map.Entry<Registration, X509Svid>> mine = agent.entitled(selectors);
      if (mine.isEmpty()) {
        return null;
      }
      ByteString bundle = encodedBundle(agent.snapshot().bundle());
      X509SVIDResponse.Builder b = X509SVIDResponse.newBuilder();
      for (Map.Entry<Registration, X509Svid> e : mine) {
        b.addSvids(encoded(e.getValue()).toBuilder().setBundle(bundle).setHint(e.getKey().hint()));
      }
      federatedFor(mine.stream().map(Map.Entry::getKey).toList())
          .forEach((td, certs) -> b.putFederatedBundles(td.idString(), Der.concat(certs)));
      return b.build();
    }, selectors);
  }

  @Override
  public void fetchX509Bundles(X509BundlesRequest request, StreamObserver<X509BundlesResponse> out) {
    Set<String> selectors = CallerAttestation.SELECTORS.get();
    stream(out, () -> {
      List<Map.Entry<Registration, X509Svid>> mine = agent.entitled(selectors);
      if (mine.isEmpty()) {
        return null;
      }
      Snapshot s = agent.snapshot();
      List<X509Certificate> bundle = s.bundle();
      X509BundlesResponse.Builder b = X509BundlesResponse.newBuilder()
          .putBundles(s.trustDomain().idString(), Der.concat(bundle));
      federatedFor(mine.stream().map(Map.Entry::getKey).toList())
          .forEach((td, certs) -> b.putBundles(td.idString(), Der.concat(certs)));
      return b.build();
    }, selectors);
  }

  /**
   * The federated bundles a caller gets: only those of trust domains that one of its own entries
   * federates with (a workload of another entry on the same node learns nothing of them), and only
   * while the agent holds that bundle.
   */
  private Map<TrustDomain, List<X509Certificate>> federatedFor(List<Registration> entries) {
    Map<String, List<X509Certificate>> held = agent.snapshot().federated();
    Map<TrustDomain, List<X509Certificate>> out = new TreeMap<>(Comparator.comparing(TrustDomain::name));
    for (Registration r : entries) {
      for (String td : r.federatesWith()) {
        List<X509Certificate> certs = held.get(td);
        if (certs != null && !certs.isEmpty()) {
          out.put(TrustDomain.parse(td), certs);
        }
      }
    }
    return out;
  }

  /**
   * Sends the current answer, then a new one after every agent update that changes it; ends the
   * stream with PermissionDenied when the caller is (or becomes) entitled to nothing.
   *
   * <p>The stream subscribes to updates <em>before</em> it computes the first answer, under the
   * same lock as every later answer: an update that lands while the first answer is being built or
   * sent (a federation created, a bundle rotated) is then either in the first answer or sent right
   * after it. Subscribing after the first answer lost such an update until the next change, which
   * could be half an SVID lifetime later.
   */
  private <T> void stream(StreamObserver<T> out, Supplier<T> answer, Set<String> selectors) {
    ServerCallStreamObserver<T> call = (ServerCallStreamObserver<T>) out;
    Object lock = new Object();
    Object[] last = {null};
    boolean[] done = {false};
    AutoCloseable[] subscription = new AutoCloseable[1];
    synchronized (lock) {
      subscription[0] = agent.onUpdate(() -> {
        synchronized (lock) {
          if (done[0] || call.isCancelled()) {
            return;
          }
          T next = answer.get();
          if (next == null) {
            done[0] = true;
            out.onError(NOTHING.asRuntimeException());
            close(subscription[0]);
          } else if (!next.equals(last[0])) {
            last[0] = next;
            out.onNext(next);
          }
        }
      });
      T first = answer.get();
      if (first == null) {
        done[0] = true;
        close(subscription[0]);
        LOG.info("Workload API: nothing for a caller with selectors {}", selectors);
        out.onError(NOTHING.asRuntimeException());
        return;
      }
      last[0] = first;
      out.onNext(first);
    }
    call.setOnCancelHandler(() -> {
      synchronized (lock) {
        done[0] = true;
      }
      close(subscription[0]);
    });
  }

  private static void close(AutoCloseable c) {
    try {
      if (c != null) {
        c.close();
      }
    } catch (Exception ignored) {
      // removing a listener cannot fail
    }
  }

  @Override
  public void fetchJWTSVID(JWTSVIDRequest request, StreamObserver<JWTSVIDResponse> out) {
    Set<String> selectors = CallerAttestation.SELECTORS.get();
    if (request.getAudienceCount() == 0) {
      out.onError(Status.INVALID_ARGUMENT.withDescription("audience must be specified").asRuntimeException());
      return;
    }
    List<Map.Entry<Registration, X509Svid>> mine = agent.entitled(selectors).stream()
        .filter(e -> request.getSpiffeId().isEmpty() || request.getSpiffeId().equals(e.getKey().spiffeId()))
        .toList();
    if (mine.isEmpty()) {
      out.onError(NOTHING.asRuntimeException());
      return;
    }
    JWTSVIDResponse.Builder b = JWTSVIDResponse.newBuilder();
    try {
      for (Map.Entry<Registration, X509Svid> e : mine) {
        String token = agent.signJwtSvid(e.getKey().id(), request.getAudienceList());
        b.addSvids(JWTSVID.newBuilder().setSpiffeId(e.getKey().spiffeId()).setSvid(token)
            .setHint(e.getKey().hint()));
      }
    } catch (StatusRuntimeException e) {
      out.onError(Status.UNAVAILABLE.withDescription("cannot get a JWT-SVID from the server: "
          + e.getStatus().getCode() + " " + e.getStatus().getDescription()).asRuntimeException());
      return;
    }
    out.onNext(b.build());
    out.onCompleted();
  }

  @Override
  public void fetchJWTBundles(JWTBundlesRequest request, StreamObserver<JWTBundlesResponse> out) {
    Set<String> selectors = CallerAttestation.SELECTORS.get();
    stream(out, () -> {
      if (agent.entitled(selectors).isEmpty()) {
        return null;
      }
      Snapshot s = agent.snapshot();
      return JWTBundlesResponse.newBuilder().putBundles(s.trustDomain().idString(),
          ByteString.copyFromUtf8(s.jwks())).build();
    }, selectors);
  }

  @Override
  public void validateJWTSVID(ValidateJWTSVIDRequest request, StreamObserver<ValidateJWTSVIDResponse> out) {
    if (request.getAudience().isEmpty() || request.getSvid().isEmpty()) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(request.getAudience().isEmpty()
          ? "audience must be specified" : "svid must be specified").asRuntimeException());
      return;
    }
    JwtSvids.Claims claims;
    try {
      Snapshot snapshot = agent.snapshot();
      claims = JwtSvids.validate(request.getSvid(), request.getAudience(), snapshot.trustDomain(), snapshot.jwks(),
          agent.clock().instant());
    } catch (IllegalArgumentException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    Struct.Builder struct = Struct.newBuilder();
    claims.all().forEach((k, v) -> struct.putFields(k, value(v)));
    out.onNext(ValidateJWTSVIDResponse.newBuilder().setSpiffeId(claims.subject()).setClaims(struct).build());
    out.onCompleted();
  }

  private static Value value(Object v) {
    if (v instanceof Number n) {
      return Value.newBuilder().setNumberValue(n.doubleValue()).build();
    }
    if (v instanceof Boolean b) {
      return Value.newBuilder().setBoolValue(b).build();
    }
    if (v instanceof List<?> l) {
      ListValue.Builder lb = ListValue.newBuilder();
      l.forEach(x -> lb.addValues(value(x)));
      return Value.newBuilder().setListValue(lb).build();
    }
    return Value.newBuilder().setStringValue(String.valueOf(v)).build();
  }
}

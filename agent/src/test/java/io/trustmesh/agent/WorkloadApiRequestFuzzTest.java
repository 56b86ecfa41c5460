package io.trustmesh.agent;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import io.trustmesh.api.jwt.JwtSvids;
import io.trustmesh.api.workload.WorkloadApi;
import io.trustmesh.api.workload.proto.JWTBundlesRequest;
import io.trustmesh.api.workload.proto.JWTSVIDRequest;
import io.trustmesh.api.workload.proto.SpiffeWorkloadAPIGrpc;
import io.trustmesh.api.workload.proto.ValidateJWTSVIDRequest;
import io.trustmesh.api.workload.proto.X509BundlesRequest;
import io.trustmesh.api.workload.proto.X509SVIDRequest;
import io.trustmesh.core.crypto.KeyType;
import io.trustmesh.core.spiffe.TrustDomain;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

/**
 * The Workload API request path as a local process reaches it: gRPC metadata, then a protobuf
 * request. Fuzzed through the agent's own security-header interceptor ({@link
 * CallerAttestation}) and the request decoding and JWT-SVID validation the service
 * performs; a live server is not started (its transport is a unix socket with peer credentials).
 *
 * <p>Invariants: a call without exactly {@code workload.spiffe.io: true} is closed with
 * INVALID_ARGUMENT, and a call whose peer credentials are unknown is closed with PERMISSION_DENIED
 * — neither ever reaches a handler; request bytes are either refused as malformed protobuf or
 * decode; ValidateJWTSVID refuses anything with one IllegalArgumentException. Regression inputs:
 * {@code src/test/resources/io/trustmesh/agent/WorkloadApiRequestFuzzTestInputs/}.
 */
class WorkloadApiRequestFuzzTest {
  static final TrustDomain TD = TrustDomain.parse("example.org");
  static final String JWKS = JwtSvids.jwks(Map.of("k1", (ECPublicKey) KeyType.EC_P256.generate().getPublic()));
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  /**
   * Input layout (so that seeds can be written by hand): byte 0 picks the method (mod 5: X509SVID,
   * X509Bundles, JWTBundles, JWTSVID, ValidateJWTSVID); byte 1 is the length n of the
   * {@code workload.spiffe.io} header value that follows (255: no such header); the rest is the
   * protobuf request.
   */
  @FuzzTest(maxDuration = "5m")
  void request(byte[] data) {
    if (data.length < 2) {
      return;
    }
    int method = (data[0] & 0xff) % 5;
    int n = data[1] & 0xff;
    int at = 2;
    Metadata headers = new Metadata();
    if (n != 255) {
      n = Math.min(n, data.length - at);
      String value = new String(data, at, n, StandardCharsets.ISO_8859_1);
      at += n;
      try {
        headers.put(WorkloadApi.SECURITY_HEADER, value);
      } catch (IllegalArgumentException notDeliverable) {
        // gRPC itself never delivers a header value with such characters
      }
    }
    boolean headerOk = "true".equals(headers.get(WorkloadApi.SECURITY_HEADER));
    RecordingCall call = new RecordingCall();
    boolean[] reachedHandler = {false};
    ServerCallHandler<Object, Object> next = (c, h) -> {
      reachedHandler[0] = true;
      return new ServerCall.Listener<>() {};
    };
    new CallerAttestation().interceptCall(call, headers, next);
    if (reachedHandler[0]) {
      throw new AssertionError("a call without peer credentials reached the handler; headers " + headers);
    }
    Status.Code expected = headerOk ? Status.Code.PERMISSION_DENIED : Status.Code.INVALID_ARGUMENT;
    if (call.closed == null || call.closed.getCode() != expected) {
      throw new AssertionError("expected " + expected + " for headers " + headers + ", got " + call.closed);
    }

    byte[] message = Arrays.copyOfRange(data, at, data.length);
    try {
      switch (method) {
        case 0 -> X509SVIDRequest.parseFrom(message);
        case 1 -> X509BundlesRequest.parseFrom(message);
        case 2 -> JWTBundlesRequest.parseFrom(message);
        case 3 -> JWTSVIDRequest.parseFrom(message).getAudienceList().forEach(String::length);
        default -> validate(ValidateJWTSVIDRequest.parseFrom(message));
      }
    } catch (InvalidProtocolBufferException refused) {
      // what gRPC answers INTERNAL/INVALID_ARGUMENT to before the service sees it
    }
  }

  /** What {@code WorkloadApiService.validateJWTSVID} asks of a request. */
  private static void validate(ValidateJWTSVIDRequest request) {
    if (request.getAudience().isEmpty() || request.getSvid().isEmpty()) {
      return;
    }
    try {
      JwtSvids.validate(request.getSvid(), request.getAudience(), TD, JWKS, NOW);
      throw new AssertionError("a token signed by no key of the bundle validated: " + request.getSvid());
    } catch (IllegalArgumentException refused) {
      // one line back to the caller as INVALID_ARGUMENT
    }
  }

  /** A server call that remembers how it was closed. */
  private static final class RecordingCall extends ServerCall<Object, Object> {
    Status closed;

    @Override
    public void request(int numMessages) {}

    @Override
    public void sendHeaders(Metadata headers) {}

    @Override
    public void sendMessage(Object message) {}

    @Override
    public void close(Status status, Metadata trailers) {
      closed = status;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public Attributes getAttributes() {
      return Attributes.EMPTY;
    }

    @Override
    @SuppressWarnings("unchecked")
    public MethodDescriptor<Object, Object> getMethodDescriptor() {
      return (MethodDescriptor<Object, Object>) (MethodDescriptor<?, ?>) SpiffeWorkloadAPIGrpc.getFetchX509SVIDMethod();
    }
  }
}

package io.trustmesh.agent;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.netty.channel.unix.PeerCredentials;
import io.trustmesh.agent.internal.PeerCredentialsNegotiator;
import io.trustmesh.agent.internal.PeerProcess;
import io.trustmesh.agent.internal.UnixAttestor;
import io.trustmesh.api.workload.WorkloadApi;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attests each Workload API call: checks the {@code workload.spiffe.io} header, then compares the
 * calling process now with the process that opened the connection (uid, gid, pid, executable, start
 * time) and refuses with PERMISSION_DENIED if anything changed — a process that connected, handed
 * the connection on and exec'd an allowed binary is not that binary. Only then are the selectors
 * computed, and the process is compared once more afterwards (the hash of the executable takes a
 * while to read).
 */
final class CallerAttestation implements ServerInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(CallerAttestation.class);
  static final Context.Key<Set<String>> SELECTORS = Context.key("trustmesh-workload-selectors");

  @Override
  public <Q, S> ServerCall.Listener<Q> interceptCall(ServerCall<Q, S> call, Metadata headers,
      ServerCallHandler<Q, S> next) {
    if (!"true".equals(headers.get(WorkloadApi.SECURITY_HEADER))) {
      return refuse(call, Status.INVALID_ARGUMENT.withDescription("security header missing from request"));
    }
    PeerCredentials creds = call.getAttributes().get(PeerCredentialsNegotiator.PEER_CREDENTIALS);
    PeerProcess accepted = call.getAttributes().get(PeerCredentialsNegotiator.PEER_AT_ACCEPT);
    if (creds == null || accepted == null) {
      return refuse(call, Status.PERMISSION_DENIED.withDescription("cannot read the caller's peer credentials"));
    }
    Optional<String> changed = changedSince(accepted);
    if (changed.isPresent()) {
      return refuse(call, Status.PERMISSION_DENIED.withDescription(changed.get()));
    }
    Set<String> selectors = UnixAttestor.selectors(creds, accepted);
    changed = changedSince(accepted);
    if (changed.isPresent()) {
      return refuse(call, Status.PERMISSION_DENIED.withDescription(changed.get()));
    }
    return Contexts.interceptCall(Context.current().withValue(SELECTORS, selectors), call, headers, next);
  }

  /** Why the process behind the connection is no longer the one that connected, if it is not. */
  private static Optional<String> changedSince(PeerProcess accepted) {
    Optional<PeerProcess> now = PeerProcess.read(accepted.pid());
    if (now.isPresent() && now.get().equals(accepted)) {
      return Optional.empty();
    }
    String current = now.map(PeerProcess::toString).orElse("(exited)");
    LOG.warn("Workload API: refused a call: the process that connected ({}) is not the one calling now ({})",
        accepted, current);
    return Optional.of("the calling process changed since it connected (pid " + accepted.pid() + ": was "
        + accepted.exe() + ", now " + now.map(PeerProcess::exe).orElse("exited") + ")");
  }

  private static <Q, S> ServerCall.Listener<Q> refuse(ServerCall<Q, S> call, Status status) {
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }
}

package io.trustmesh.api.admin;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.trustmesh.api.admin.proto.AdminGrpc;
import io.trustmesh.api.admin.proto.CreateEntryRequest;
import io.trustmesh.api.admin.proto.CreateJoinTokenRequest;
import io.trustmesh.api.admin.proto.CreateJoinTokenResponse;
import io.trustmesh.api.admin.proto.EvictAgentRequest;
import io.trustmesh.api.admin.proto.Federation;
import io.trustmesh.api.admin.proto.GetFederationRequest;
import io.trustmesh.api.admin.proto.ListFederationsRequest;
import io.trustmesh.api.admin.proto.EvictAgentResponse;
import io.trustmesh.api.admin.proto.GetBundleRequest;
import io.trustmesh.api.admin.proto.GetBundleResponse;
import io.trustmesh.api.admin.proto.GetEntryRequest;
import io.trustmesh.api.admin.proto.ListEntriesRequest;
import io.trustmesh.api.admin.proto.GetRotationStatusRequest;
import io.trustmesh.api.admin.proto.RotateRequest;
import io.trustmesh.api.admin.proto.RotationStatus;
import io.trustmesh.api.grpc.UnixSockets;
import io.trustmesh.api.uds.SocketDirectory;
import io.trustmesh.api.node.proto.Entry;
import io.trustmesh.core.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A client of the server's admin API on its unix socket (what {@code trustmesh token},
 * {@code entry} and {@code bundle} use). Errors the server reports as invalid input or not found
 * become {@link BadInputException}s carrying the server's one-line message.
 */
public final class AdminClient implements AutoCloseable {
  /** The default admin socket, as {@code --help} texts describe it. */
  public static final String DEFAULT_SOCKET_HELP =
      "$XDG_RUNTIME_DIR/trustmesh/server/admin.sock, or /run/trustmesh/server/admin.sock as root";
  private final ManagedChannel channel;
  private final AdminGrpc.AdminBlockingStub stub;
  private final Path socket;

  private AdminClient(Path socket) {
    this.socket = socket;
    this.channel = UnixSockets.channel(socket);
    this.stub = AdminGrpc.newBlockingStub(channel);
  }

  /**
   * The admin socket when none is given: in a 0700 {@code server} directory under this user's
   * runtime directory ({@link SocketDirectory#runtimeDirectory()}), so that it never shares a
   * directory with sockets other users must reach.
   */
  public static Path defaultSocket() {
    return SocketDirectory.runtimeDirectory().resolve("server").resolve("admin.sock");
  }

  public static AdminClient connect(Path socket) {
    if (!Files.exists(socket)) {
      throw new BadInputException("admin socket " + socket + " does not exist; is 'trustmesh server' running"
          + " (see --admin-socket)?");
    }
    // The admin API hands out join tokens, entries and trust bundles: never ask a socket that
    // another local user could have planted or swapped.
    return new AdminClient(SocketDirectory.checkServed(socket, "admin socket " + socket));
  }

  private AdminGrpc.AdminBlockingStub call() {
    return stub.withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private interface Rpc<T> {
    T run();
  }

  private <T> T rpc(Rpc<T> r) {
    try {
      return r.run();
    } catch (StatusRuntimeException e) {
      Status s = e.getStatus();
      String msg = s.getDescription() == null ? s.getCode().toString() : s.getDescription();
      if (s.getCode() == Status.Code.INVALID_ARGUMENT || s.getCode() == Status.Code.NOT_FOUND) {
        throw new BadInputException(msg);
      }
      if (s.getCode() == Status.Code.UNAVAILABLE) {
        throw new BadInputException("cannot reach the server on " + socket + ": " + msg);
      }
      throw new IllegalStateException("server: " + s.getCode() + ": " + msg, e);
    }
  }

  public CreateJoinTokenResponse createJoinToken(String spiffeId, Duration ttl) {
    return rpc(() -> call().createJoinToken(CreateJoinTokenRequest.newBuilder().setSpiffeId(spiffeId)
        .setTtlSeconds(ttl == null ? 0 : ttl.toSeconds()).build()));
  }

  public Entry createEntry(Entry entry) {
    return rpc(() -> call().createEntry(CreateEntryRequest.newBuilder().setEntry(entry).build()));
  }

  public List<Entry> listEntries(String parentId, String spiffeId) {
    return rpc(() -> call().listEntries(ListEntriesRequest.newBuilder()
        .setParentId(parentId == null ? "" : parentId).setSpiffeId(spiffeId == null ? "" : spiffeId).build())
        .getEntriesList());
  }

  public Entry getEntry(String id) {
    return rpc(() -> call().getEntry(GetEntryRequest.newBuilder().setId(id).build()));
  }

  public Entry deleteEntry(String id) {
    return rpc(() -> call().deleteEntry(GetEntryRequest.newBuilder().setId(id).build()));
  }

  /** Bans an agent until it attests again with a new join token; NOT_FOUND becomes a {@link BadInputException}. */
  public EvictAgentResponse evictAgent(String spiffeId) {
    return rpc(() -> call().evictAgent(EvictAgentRequest.newBuilder().setSpiffeId(spiffeId).build()));
  }

  public Federation createFederation(Federation federation) {
    return rpc(() -> call().createFederation(federation));
  }

  public List<Federation> listFederations() {
    return rpc(() -> call().listFederations(ListFederationsRequest.getDefaultInstance()).getFederationsList());
  }

  public Federation getFederation(String trustDomain) {
    return rpc(() -> call().getFederation(GetFederationRequest.newBuilder().setTrustDomain(trustDomain).build()));
  }

  public Federation deleteFederation(String trustDomain) {
    return rpc(() -> call().deleteFederation(GetFederationRequest.newBuilder().setTrustDomain(trustDomain).build()));
  }

  /**
   * Forces a rotation of the signing CA of the server behind this socket ({@code ca}) and/or the
   * re-issue of every SVID ({@code svids}); {@code propagation} zero: the server's default.
   */
  public RotationStatus rotate(boolean ca, boolean svids, Duration propagation) {
    return rpc(() -> call().rotate(RotateRequest.newBuilder().setCa(ca).setSvids(svids)
        .setPropagationSeconds(propagation.toSeconds()).build()));
  }

  public RotationStatus rotationStatus() {
    return rpc(() -> call().getRotationStatus(GetRotationStatusRequest.getDefaultInstance()));
  }

  public GetBundleResponse bundle() {
    return rpc(() -> call().getBundle(GetBundleRequest.getDefaultInstance()));
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

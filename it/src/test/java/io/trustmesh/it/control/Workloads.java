package io.trustmesh.it.control;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.trustmesh.api.grpc.SvidKeyManager;
import io.trustmesh.api.grpc.UnixSockets;
import io.trustmesh.api.node.proto.NodeGrpc;
import io.trustmesh.api.workload.WorkloadApi;
import io.trustmesh.api.workload.proto.SpiffeWorkloadAPIGrpc;
import io.trustmesh.api.workload.proto.X509SVIDRequest;
import io.trustmesh.api.workload.proto.X509SVIDResponse;
import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.core.svid.X509Svid;
import io.trustmesh.core.tls.SpiffeTrustManager;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Raw clients the tests use: the Workload API as a workload calls it, the node API as an agent. */
final class Workloads {
  private Workloads() {}

  /** The first FetchX509SVID message for this process (the caller's own peer credentials). */
  static X509SVIDResponse fetchOnce(Path socket, boolean withHeader) {
    ManagedChannel ch = UnixSockets.channel(socket);
    try {
      SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIBlockingStub stub = SpiffeWorkloadAPIGrpc.newBlockingStub(ch);
      if (withHeader) {
        Metadata h = new Metadata();
        h.put(WorkloadApi.SECURITY_HEADER, "true");
        stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h));
      }
      Iterator<X509SVIDResponse> it = stub.withDeadlineAfter(10, TimeUnit.SECONDS)
          .fetchX509SVID(X509SVIDRequest.getDefaultInstance());
      return it.next();
    } finally {
      ch.shutdownNow();
    }
  }

  /** A node API client that presents {@code svid} and trusts {@code bundle}. */
  static ManagedChannel nodeChannel(InetSocketAddress server, X509Svid svid, List<X509Certificate> bundle,
      TrustDomain td, Clock clock) throws Exception {
    return NettyChannelBuilder.forAddress(server)
        .sslContext(GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK)
            .keyManager(new SvidKeyManager(() -> Optional.of(svid)))
            .trustManager(new SpiffeTrustManager(() -> X509BundleSet.of(new X509Bundle(td, bundle)),
                SpiffeTrustManager.Authorizer.allowAny(), clock))
            .endpointIdentificationAlgorithm(null)
            .build())
        .overrideAuthority("trustmesh-server")
        .build();
  }

  static NodeGrpc.NodeBlockingStub node(ManagedChannel ch) {
    return NodeGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
  }
}

package io.trustmesh.proxy;

import io.trustmesh.api.x509.FileX509Source;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Starts in-process sidecars the way the CLI does, on ephemeral loopback ports. */
final class TestSidecars {
  private TestSidecars() {}

  static InetSocketAddress any() {
    return new InetSocketAddress(Peers.LOOPBACK, 0);
  }

  static InboundListener inbound(String name, InetSocketAddress target, InboundMode mode, AllowPolicy allow) {
    return new InboundListener(name, any(), target, mode, allow);
  }

  static SidecarConfig config(List<InboundListener> in, List<OutboundListener> out, Path accessLog, Limits limits) {
    return new SidecarConfig(in, out, Optional.of(any()), Optional.of(accessLog.toString()), limits);
  }

  static FileX509Source source(Path svidDir) {
    return FileX509Source.watchDirectory(svidDir, Duration.ofSeconds(5), msg -> {});
  }

  static Sidecar start(SidecarConfig config, FileX509Source source) {
    return Sidecar.start(config, source, Clock.systemUTC());
  }

  /** A sidecar with one STRICT inbound listener named "web" in front of {@code target}, allowing {@code td}. */
  static Sidecar strictWeb(InetSocketAddress target, io.trustmesh.core.spiffe.TrustDomain td, Path accessLog,
      Limits limits, FileX509Source source) {
    InboundListener web = inbound("web", target, InboundMode.STRICT, AllowPolicy.builder().trustDomain(td).build());
    return start(config(List.of(web), List.of(), accessLog, limits), source);
  }

  /** Stops what a test started; either may be null (the start failed). */
  static void stop(Sidecar sidecar, FileX509Source source) {
    if (sidecar != null) {
      sidecar.close();
    }
    if (source != null) {
      source.close();
    }
  }
}

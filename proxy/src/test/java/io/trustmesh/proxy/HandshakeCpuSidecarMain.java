package io.trustmesh.proxy;

import io.trustmesh.core.bundle.X509Bundle;
import io.trustmesh.core.bundle.X509BundleSet;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * A benchmark fixture, not a test: one STRICT inbound sidecar in front of a small HTTP backend,
 * with client credentials written for a load client ({@code ../shared/bench/mtlsload.c}). Writes
 * {@code client/svid.pem}, {@code client/key.pem} and {@code client/root.pem} under the directory
 * given as the first argument, prints {@code READY port=PORT pid=PID}, and runs until stdin closes.
 * Measure the proxy's CPU per handshake from {@code /proc/PID/stat} around a run of
 * {@code mtlsload -m hs}.
 */
public final class HandshakeCpuSidecarMain {
  private HandshakeCpuSidecarMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Pki pki = Pki.create("example.org");
    pki.writeForTools(pki.svid(pki.id("ns", "bench", "sa", "client")), dir.resolve("client"));
    FixedX509Source source = new FixedX509Source(pki.svid(pki.id("ns", "bench", "sa", "server"), "localhost"),
        X509BundleSet.of(new X509Bundle(pki.td, List.of(pki.root))));
    try (CountingBackend backend = new CountingBackend()) {
      InboundListener in = TestSidecars.inbound("web", backend.address(), InboundMode.STRICT,
          AllowPolicy.builder().trustDomain(pki.td).build());
      Sidecar sidecar = Sidecar.start(new SidecarConfig(List.of(in), List.of(), Optional.empty(), Optional.empty(),
          Limits.DEFAULT), source, Clock.systemUTC());
      try {
        System.out.println("READY port=" + sidecar.address("web").getPort() + " pid=" + ProcessHandle.current().pid());
        System.out.flush();
        while (System.in.read() >= 0) {
          // until stdin closes
        }
      } finally {
        sidecar.close();
      }
    }
  }
}

package io.trustmesh.proxy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A sidecar in a process of its own, so a test can run it under a small descriptor limit: one
 * plaintext (DISABLE) inbound listener in front of the port given as the first argument, and an
 * admin endpoint with the default admin bounds except for the timeouts, which are the third and
 * fourth arguments (idle, request) so that a test need not wait 30 s for them. Prints {@code READY admin=PORT data=PORT}, then
 * runs until stdin closes.
 */
public final class AdminLoadSidecarMain {
  private AdminLoadSidecarMain() {}

  public static void main(String[] args) throws Exception {
    InetSocketAddress target = new InetSocketAddress(Peers.LOOPBACK, Integer.parseInt(args[0]));
    InboundListener data = TestSidecars.inbound("data", target, InboundMode.DISABLE, AllowPolicy.builder().build());
    SidecarConfig config = new SidecarConfig(List.of(data), List.of(), Optional.of(TestSidecars.any()),
        Optional.of(Path.of(args[1]).toString()), Limits.DEFAULT);
    AdminLimits defaults = AdminLimits.DEFAULT;
    AdminLimits limits = new AdminLimits(Duration.parse(args[2]), Duration.parse(args[3]), defaults.maxConnections(),
        defaults.fdReserve());
    Sidecar sidecar = Sidecar.start(config, null, Clock.systemUTC(), limits);
    try {
      System.out.println("READY admin=" + sidecar.adminAddress().orElseThrow().getPort()
          + " data=" + sidecar.address("data").getPort());
      System.out.flush();
      while (System.in.read() >= 0) {
        // until the test closes our stdin
      }
    } finally {
      sidecar.close();
    }
  }
}

package io.trustmesh.it.control;

import io.trustmesh.api.admin.AdminClient;
import io.trustmesh.api.admin.proto.Federation;
import io.trustmesh.core.spiffe.TrustDomain;
import java.nio.file.Path;
import java.time.Duration;

/** Fixtures for federation tests: a second trust domain with a bundle endpoint, and the relationship. */
final class Federations {
  static final TrustDomain PARTNER = TrustDomain.parse("partner.org");

  private Federations() {}

  /** A control plane for partner.org with its bundle endpoint on an ephemeral port, refresh hint 1s. */
  static ControlPlane partner(Path dir) {
    ControlPlane cp = new ControlPlane(dir);
    cp.serverConfig.trustDomain = PARTNER;
    cp.serverConfig.bundleEndpoint = "127.0.0.1:0";
    cp.serverConfig.bundleRefreshHint = Duration.ofSeconds(1);
    return cp;
  }

  /** Makes {@code home} federate with {@code foreign} (https_spiffe, bootstrapped with its bundle). */
  static Federation federate(ControlPlane home, ControlPlane foreign) {
    String json;
    try (AdminClient a = foreign.admin()) {
      json = a.bundle().getSpiffeJson();
    }
    int port = foreign.server.bundleEndpointAddress().orElseThrow().getPort();
    try (AdminClient a = home.admin()) {
      return a.createFederation(Federation.newBuilder().setTrustDomain(foreign.serverConfig.trustDomain.name())
          .setBundleEndpointUrl("https://127.0.0.1:" + port).setProfile("https_spiffe")
          .setInitialBundleJson(json).build());
    }
  }
}

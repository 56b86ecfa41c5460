package io.trustmesh.policy.meshfile;

import java.util.List;
import java.util.OptionalInt;

/**
 * A service this one calls: the upstream's name, which of its ports ({@code port}, default its first
 * port), where the caller's outbound sidecar listens on loopback ({@code localPort}; when absent,
 * {@code trustmesh up} chooses), and the SPIFFE IDs the caller accepts from the server
 * ({@code expect}; default the upstream's own SPIFFE ID).
 */
public record Upstream(String service, OptionalInt port, OptionalInt localPort, List<String> expect, int line) {
  public Upstream {
    expect = List.copyOf(expect);
  }
}

package io.trustmesh.proxy;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * Everything one sidecar process serves.
 *
 * @param accessLog a file path, {@code -} for standard output, or empty for none
 * @param resumption TLS session resumption between sidecars; {@link Resumption#OFF} by default
 */
public record SidecarConfig(List<InboundListener> inbound, List<OutboundListener> outbound,
    Optional<InetSocketAddress> admin, Optional<String> accessLog, Limits limits, Resumption resumption) {
  /** Without session resumption (the default). */
  public SidecarConfig(List<InboundListener> inbound, List<OutboundListener> outbound,
      Optional<InetSocketAddress> admin, Optional<String> accessLog, Limits limits) {
    this(inbound, outbound, admin, accessLog, limits, Resumption.OFF);
  }

  public SidecarConfig {
    resumption = resumption == null ? Resumption.OFF : resumption;
    inbound = List.copyOf(inbound);
    outbound = List.copyOf(outbound);
    if (inbound.isEmpty() && outbound.isEmpty()) {
      throw new io.trustmesh.core.BadInputException("no listener configured");
    }
    java.util.Set<String> names = new java.util.HashSet<>();
    for (InboundListener l : inbound) {
      if (!names.add(l.name())) {
        throw new io.trustmesh.core.BadInputException("duplicate listener name: " + l.name());
      }
    }
    for (OutboundListener l : outbound) {
      if (!names.add(l.name())) {
        throw new io.trustmesh.core.BadInputException("duplicate listener name: " + l.name());
      }
    }
  }
}

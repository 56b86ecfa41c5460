package io.trustmesh.policy.model;

import io.trustmesh.policy.source.SourceLocation;

/** One {@code portLevelMtls} entry: the workload (container) port and its mode. */
public record PortOverride(int port, MtlsMode mode, SourceLocation location) {}

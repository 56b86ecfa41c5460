package io.trustmesh.policy.model;

import io.trustmesh.policy.source.SourceLocation;

/** A port a workload's containers listen on; {@code name} may be empty. */
public record ContainerPort(int port, String name, SourceLocation location) {}

package io.trustmesh.policy.model;

import io.trustmesh.policy.source.SourceLocation;

/**
 * A Service port. {@code targetPort} is as written: a number, a container port name, or empty
 * (then it equals {@code port}).
 */
public record ServicePort(String name, int port, String targetPort, SourceLocation location) {}

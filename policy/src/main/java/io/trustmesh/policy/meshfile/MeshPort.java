package io.trustmesh.policy.meshfile;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * An inbound port of a service: the port callers address ({@code port}, the container port in
 * Kubernetes), an optional name, an optional port-level mode (the highest precedence), and
 * optionally the local port where the plaintext application itself listens behind its sidecar
 * ({@code appPort}; when absent, {@code trustmesh up} chooses).
 */
public record MeshPort(int port, String name, Optional<Mode> mode, OptionalInt appPort, int line) {}

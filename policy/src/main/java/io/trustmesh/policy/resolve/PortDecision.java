package io.trustmesh.policy.resolve;

import io.trustmesh.policy.model.ObjectRef;
import io.trustmesh.policy.model.Workload;
import io.trustmesh.policy.source.SourceLocation;
import java.util.Optional;

/**
 * The effective server mode of one workload port and what decided it: the object (empty when it
 * is a default) and the exact line (a {@code portLevelMtls} entry, a policy's mode, an annotation).
 * {@code reason} says it in words, e.g. "port-level UNSET takes the workload mode".
 */
public record PortDecision(
    Workload workload,
    int port,
    String portName,
    Dataplane dataplane,
    ServerMode mode,
    Optional<ObjectRef> decidedBy,
    SourceLocation decidedAt,
    String reason) {

  public String namespace() {
    return workload.namespace();
  }
}

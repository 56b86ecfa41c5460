package io.trustmesh.mesh.run;

import io.trustmesh.mesh.state.MeshState;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether a pid recorded in {@code state.json} is still the process that was recorded: alive AND
 * started at the recorded instant. A pid alone can be reused by any process after a crash; signalling
 * it would hit a stranger (or, run as root, anything).
 */
final class Processes {
  private Processes() {}

  static boolean isSame(MeshState.ProcessInfo p) {
    return handle(p.pid(), p.start()).isPresent();
  }

  /** The live process with this pid and start time; empty when gone or replaced. */
  static Optional<ProcessHandle> handle(long pid, String start) {
    if (start == null) {
      return Optional.empty(); // cannot prove it is ours: never touch it
    }
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
        .filter(h -> h.info().startInstant().map(Instant::toString).filter(start::equals).isPresent());
  }
}

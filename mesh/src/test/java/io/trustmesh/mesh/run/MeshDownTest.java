package io.trustmesh.mesh.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.mesh.state.MeshState;
import io.trustmesh.mesh.state.StateDirectory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code down} signals a process only when it is the one {@code up} recorded: alive, with the same
 * pid AND the same start time. A state.json left by a dead mesh names pids the kernel may since have
 * given to anything (as root: anything at all); those are left alone. What the dead supervisor left
 * running, recorded with its start time, is stopped.
 */
class MeshDownTest {
  @TempDir Path tmp;

  private static Process sleeper() throws Exception {
    return new ProcessBuilder("sleep", "120").start();
  }

  private static MeshState staleStateNaming(long pid, String start) {
    return new MeshState(MeshState.VERSION, 999_999, "2026-01-01T00:00:00Z", "/x/trustmesh.yaml", "example.org",
        "2026-01-01T00:00:00Z", null, null, null, null,
        List.of(new MeshState.Service("victim", "default", null,
            new MeshState.ProcessInfo(pid, start, List.of("sleep", "120")), List.of())));
  }

  @Test
  void aRecordedPidNowHeldByAnotherProcessIsNotSignalled() throws Exception {
    Process stranger = sleeper();
    try {
      StateDirectory dir = StateDirectory.create(tmp.resolve("state"));
      // the pid is right, the start time is that of the process that held the pid before
      staleStateNaming(stranger.pid(), "2026-01-01T00:00:00Z").write(dir.path());

      MeshDown.Outcome o = MeshDown.stop(dir);

      assertThat(o.wasRunning()).isFalse();
      assertThat(stranger.isAlive()).as("a process that merely reuses a recorded pid").isTrue();
      assertThat(MeshState.read(dir.path())).as("the stale state is removed").isEmpty();
      assertThat(o.actions()).containsExactly("removed the state of a mesh that was no longer running");
    } finally {
      stranger.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aServiceLeftBehindByADeadSupervisorIsStopped() throws Exception {
    Process orphan = sleeper();
    try {
      StateDirectory dir = StateDirectory.create(tmp.resolve("state"));
      String start = orphan.toHandle().info().startInstant().map(Instant::toString).orElseThrow();
      staleStateNaming(orphan.pid(), start).write(dir.path());

      MeshDown.Outcome o = MeshDown.stop(dir);

      assertThat(orphan.waitFor(10, TimeUnit.SECONDS)).as("the orphan was stopped").isTrue();
      assertThat(o.actions()).anyMatch(a -> a.startsWith("stopping victim (pid " + orphan.pid() + ")"));
      assertThat(MeshState.read(dir.path())).isEmpty();
    } finally {
      orphan.destroyForcibly();
    }
  }

  @Test
  void withNothingRunningDownDoesNothing() throws Exception {
    StateDirectory dir = StateDirectory.create(tmp.resolve("state"));
    MeshDown.Outcome o = MeshDown.stop(dir);
    assertThat(o.wasRunning()).isFalse();
    assertThat(o.actions()).isEmpty();
  }
}

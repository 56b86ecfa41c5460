package io.trustmesh.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PeerProcessTest {
  @Test
  void readsField22EvenWhenTheCommandNameHoldsSpacesAndParentheses() {
    String stat = "4242 (evil) 1 2 3 (x) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 200 ...";
    assertThat(PeerProcess.startTime(stat)).isEqualTo(987654L);
  }

  @Test
  void readsThisProcess() throws Exception {
    long pid = ProcessHandle.current().pid();
    PeerProcess me = PeerProcess.read((int) pid).orElseThrow();
    assertThat(me.exe()).isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/exe")).toString());
    assertThat(me.uid()).isEqualTo((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    assertThat(PeerProcess.read((int) pid)).contains(me);
  }

  @Test
  void aProcessThatExitedIsNobody() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    assertThat(PeerProcess.read((int) p.pid())).isEmpty();
  }
}

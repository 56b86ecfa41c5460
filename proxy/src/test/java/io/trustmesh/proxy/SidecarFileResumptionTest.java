package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sidecar.yaml's {@code resumption:} switch: off unless asked for, and a bad value named with its field. */
class SidecarFileResumptionTest {
  @TempDir Path tmp;

  private SidecarConfig load(String resumptionLine) throws Exception {
    Path f = tmp.resolve("sidecar.yaml");
    Files.writeString(f, resumptionLine + """

        inbound:
          - listen: 127.0.0.1:8443
            target: 127.0.0.1:8080
            mode: disable
        """);
    return SidecarFile.load(f).config();
  }

  @Test
  void offUnlessAskedFor() throws Exception {
    assertThat(load("").resumption()).isEqualTo(Resumption.OFF);
    assertThat(load("resumption: false").resumption()).isEqualTo(Resumption.OFF);
  }

  @Test
  void trueResumesForFiveMinutesAndALifetimeIsTaken() throws Exception {
    assertThat(load("resumption: true").resumption()).isEqualTo(Resumption.enabled(Duration.ofMinutes(5)));
    assertThat(load("resumption: 10m").resumption()).isEqualTo(Resumption.enabled(Duration.ofMinutes(10)));
  }

  @Test
  void badValuesAreNamedWithTheField() {
    assertThatThrownBy(() -> load("resumption: sometimes")).isInstanceOf(BadInputException.class)
        .hasMessageEndingWith("sidecar.yaml: resumption: expected true, false or a lifetime such as 10m, got 'sometimes'");
    assertThatThrownBy(() -> load("resumption: 2h")).isInstanceOf(BadInputException.class)
        .hasMessageEndingWith("sidecar.yaml: resumption: lifetime: session lifetime must be between 1s and 1h, got 2h");
    assertThatThrownBy(() -> load("resumption: [true]")).isInstanceOf(BadInputException.class)
        .hasMessageContaining("resumption: expected true, false or a lifetime such as 10m, got a list");
  }
}

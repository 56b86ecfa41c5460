package io.trustmesh.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.pem.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sidecar.yaml: the shipped example parses, and mistakes are named with file and field. */
class SidecarFileTest {
  @TempDir Path tmp;

  @Test
  void shippedExampleParses() throws Exception {
    Path example = Path.of("..", "examples", "sidecar.yaml");
    Path copy = tmp.resolve("sidecar.yaml");
    Files.copy(example, copy);
    Files.write(tmp.resolve("partner-ca.pem"), Pem.encodeCertificates(List.of(Pki.create("partner.example").root)));

    SidecarFile f = SidecarFile.load(copy);

    assertThat(f.config().inbound()).extracting(InboundListener::name, InboundListener::mode).containsExactly(
        org.assertj.core.groups.Tuple.tuple("api", InboundMode.STRICT),
        org.assertj.core.groups.Tuple.tuple("legacy", InboundMode.PERMISSIVE),
        org.assertj.core.groups.Tuple.tuple("metrics", InboundMode.DISABLE));
    assertThat(f.config().inbound().get(0).allow().describe()).isEqualTo(
        "id=spiffe://example.org/ns/prod/sa/frontend, id-prefix=spiffe://example.org/ns/batch/");
    assertThat(f.config().outbound()).extracting(OutboundListener::name).containsExactly("payments", "partner");
    assertThat(f.config().outbound().get(1).caBundle()).hasSize(1);
    assertThat(f.identity().svidDir()).contains(tmp.resolve("svid"));
    assertThat(f.config().accessLog()).contains(tmp.resolve("access.log").toString());
    assertThat(f.config().limits().drainTimeout()).isEqualTo(java.time.Duration.ofSeconds(20));
  }

  @Test
  void drainTimeoutIsReadAndAnInvalidOneIsNamed() throws Exception {
    Path f = tmp.resolve("s.yaml");
    Files.writeString(f, """
        limits:
          drain_timeout: 45s
        inbound:
          - listen: 127.0.0.1:8443
            target: 127.0.0.1:8080
            mode: disable
        """);
    assertThat(SidecarFile.load(f).config().limits().drainTimeout()).isEqualTo(java.time.Duration.ofSeconds(45));

    Files.writeString(f, """
        limits:
          drain_timeout: soon
        inbound:
          - listen: 127.0.0.1:8443
            target: 127.0.0.1:8080
            mode: disable
        """);
    assertThatThrownBy(() -> SidecarFile.load(f)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("limits.drain_timeout").hasMessageContaining("soon");
  }

  @Test
  void badModeIsNamedWithItsField() throws Exception {
    Path f = tmp.resolve("s.yaml");
    Files.writeString(f, """
        inbound:
          - listen: 127.0.0.1:8443
            target: 127.0.0.1:8080
          - listen: 127.0.0.1:8444
            target: 127.0.0.1:8080
            mode: strikt
        """);

    assertThatThrownBy(() -> SidecarFile.load(f)).isInstanceOf(BadInputException.class)
        .hasMessage(f + ": inbound[1].mode: invalid mode 'strikt' (expected strict, permissive or disable)");
  }

  @Test
  void unknownFieldIsAnError() throws Exception {
    Path f = tmp.resolve("s.yaml");
    Files.writeString(f, """
        inbound:
          - listen: 127.0.0.1:8443
            target: 127.0.0.1:8080
            allow: {id: [spiffe://example.org/a]}
        """);

    assertThatThrownBy(() -> SidecarFile.load(f)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("inbound[0].allow.id: unknown field");
  }

  @Test
  void outboundMustListenOnLoopback() throws Exception {
    Path f = tmp.resolve("s.yaml");
    Files.writeString(f, """
        outbound:
          - listen: 0.0.0.0:15001
            target: 127.0.0.1:9443
            expect_trust_domain: example.org
        """);

    assertThatThrownBy(() -> SidecarFile.load(f)).isInstanceOf(BadInputException.class)
        .hasMessageContaining("outbound[0].listen: outbound listen address 0.0.0.0:15001 is not a loopback address");
  }
}

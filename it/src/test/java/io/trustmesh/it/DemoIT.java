package io.trustmesh.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code trustmesh demo}: two services behind sidecars over mTLS, plus a plaintext client. */
class DemoIT {
  @TempDir Path tmp;

  @Test
  void demoShowsTheMeshAndTheAccessLogSummary() throws Exception {
    Process p = new ProcessBuilder(List.of("java", "-jar", System.getProperty("trustmesh.jar"), "demo", "--dir",
        tmp.toString())).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out)
        .contains("Mutual TLS between the sidecars: TLSv1.3, TLS_")
        .contains("client  spiffe://demo.trustmesh/ns/demo/sa/frontend  (expires in ")
        .contains("server  spiffe://demo.trustmesh/ns/demo/sa/backend  (expires in ")
        .contains("<- CN=trustmesh root CA,O=demo.trustmesh")
        .contains("frontend app answered   frontend got \"hello from backend\"")
        .containsPattern("backend-in +inbound +mtls +spiffe://demo.trustmesh/ns/demo/sa/frontend +ok")
        .containsPattern("backend-in +inbound +plaintext +127\\.0\\.0\\.1:\\d+ \\(no identity\\) +ok")
        .containsPattern("to-backend +outbound +mtls +spiffe://demo.trustmesh/ns/demo/sa/backend +ok");
  }
}

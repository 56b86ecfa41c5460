package io.trustmesh.mesh.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Counting the sidecars' access-log lines, as they are appended. */
class TrafficCountsTest {
  @TempDir Path tmp;

  @Test
  void countsMtlsPlaintextAndRefusalsAndWaitsForAnUnfinishedLine() throws Exception {
    Path in = tmp.resolve("api.inbound.jsonl");
    Path out = tmp.resolve("api.outbound.jsonl");
    Files.writeString(in, String.join("\n",
        "{\"direction\":\"inbound\",\"tls\":\"mtls\",\"result\":\"ok\"}",
        "{\"direction\":\"inbound\",\"tls\":\"plaintext\",\"result\":\"ok\"}",
        "{\"direction\":\"inbound\",\"tls\":\"mtls\",\"result\":\"denied\",\"reason\":\"peer_not_allowed\"}",
        "{\"direction\":\"inbound\",\"tls\":\"plaintext\",\"result\":\"handshake_failed\"}",
        "{\"direction\":\"inbound\",\"tls\":\"mtls\",\"result\":\"upstream_failed\"}",
        "{\"direction\":\"inbound\",\"tls\":\"mt"));
    Files.writeString(out, "{\"direction\":\"outbound\",\"tls\":\"mtls\",\"result\":\"ok\"}\n");
    TrafficCounts c = new TrafficCounts().watch("api", in).watch("api", out).refresh();
    assertThat(c.of("api")).isEqualTo(new TrafficCounts.Counts(1, 1, 2, 1, 0));

    Files.writeString(in, "ls\",\"result\":\"ok\"}\n", StandardOpenOption.APPEND);
    assertThat(c.refresh().of("api").mtls()).isEqualTo(2);
    assertThat(c.refresh().of("api").mtls()).as("nothing counted twice").isEqualTo(2);
    assertThat(c.of("nobody")).isEqualTo(new TrafficCounts.Counts(0, 0, 0, 0, 0));
  }
}

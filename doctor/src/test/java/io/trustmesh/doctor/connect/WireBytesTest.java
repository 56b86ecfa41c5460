package io.trustmesh.doctor.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.core.diagnosis.Cause;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What a port speaks, from the first bytes it sends (sshd speaks first; no sshd runs in CI). */
class WireBytesTest {
  @Test
  void sshBanner() {
    byte[] b = "SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(WireBytes.looksLikeTls(b)).isFalse();
    assertThat(WireBytes.classify(b)).isEqualTo(Cause.PLAINTEXT_SSH);
    assertThat(WireBytes.describe(b)).isEqualTo("\"SSH-2.0-OpenSSH_9.6\"");
  }

  @Test
  void httpResponse() {
    assertThat(WireBytes.classify("HTTP/1.1 400 Bad Request".getBytes(StandardCharsets.US_ASCII))).isEqualTo(Cause.PLAINTEXT_HTTP);
  }

  @Test
  void tlsAlertRecordIsTls() {
    assertThat(WireBytes.looksLikeTls(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28})).isTrue();
  }

  @Test
  void garbageIsShownInHex() {
    byte[] b = {0x00, (byte) 0xff, 0x10};
    assertThat(WireBytes.classify(b)).isEqualTo(Cause.NOT_TLS);
    assertThat(WireBytes.describe(b)).isEqualTo("bytes 00 ff 10");
  }
}

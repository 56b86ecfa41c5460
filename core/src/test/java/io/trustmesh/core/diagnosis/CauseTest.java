package io.trustmesh.core.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import io.trustmesh.core.verify.Failure;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class CauseTest {
  @Test
  void codesAreUniqueLowercaseAndEachHasASentenceAndAFix() {
    Set<String> codes = new HashSet<>();
    for (Cause c : Cause.values()) {
      assertThat(c.code()).matches("[a-z_]+");
      assertThat(codes.add(c.code())).as(c.code()).isTrue();
      assertThat(c.sentence()).endsWith(".").doesNotContain("\n");
      assertThat(c.fix()).isNotBlank();
      assertThat(Cause.ofCode(c.code())).contains(c);
    }
    assertThat(codes).doesNotContain(Cause.OK);
  }

  @ParameterizedTest
  @EnumSource(Failure.class)
  void everyVerifierFailureHasAPeerCause(Failure f) {
    assertThat(Cause.of(f).code()).startsWith("peer_");
  }

  @ParameterizedTest
  @CsvSource({
    "certificate_required, certificate_required",
    "unknown_ca, rejected_unknown_ca",
    "certificate_expired, rejected_certificate_expired",
    "unsupported_certificate, rejected_unsupported_certificate",
    "bad_certificate, rejected_bad_certificate",
    "certificate_unknown, rejected_bad_certificate",
    "decrypt_error, rejected_signature",
    "access_denied, access_denied",
    "protocol_version, protocol_version",
    "handshake_failure, handshake_failure",
  })
  void receivedAlertsMapToRejections(String alert, String code) {
    assertThat(Cause.ofReceivedAlert(alert)).map(Cause::code).contains(code);
  }

  @Test
  void alertsThatSayNothingAboutUsAreNotGuessed() {
    assertThat(Cause.ofReceivedAlert("record_overflow")).isEmpty();
  }
}

package io.trustmesh.core.ca;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Date;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1UTCTime;
import org.bouncycastle.asn1.x509.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TimesTest {
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "1950-01-01T00:00:00Z", "1999-12-31T23:59:59Z", "2000-01-01T00:00:00Z", "2026-02-28T09:05:07.999Z",
      "2028-02-29T12:00:00Z", "2049-12-31T23:59:59Z", "2050-01-01T00:00:00Z", "1949-12-31T23:59:59Z",
      "2126-11-29T21:33:00Z"})
  void encodes_exactly_what_bouncy_castle_would(String text) throws Exception {
    Instant instant = Instant.parse(text);
    Time ours = Times.of(instant);
    Time theirs = new Time(Date.from(instant), Locale.ROOT);

    assertThat(ours.getEncoded()).isEqualTo(theirs.getEncoded());
    assertThat(ours.getDate().toInstant()).isEqualTo(instant.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
  }

  @Test
  void uses_utc_time_until_2049_and_generalized_time_from_2050() {
    assertThat(Times.of(Instant.parse("2049-12-31T23:59:59Z")).toASN1Primitive()).isInstanceOf(ASN1UTCTime.class);
    assertThat(Times.of(Instant.parse("2050-01-01T00:00:00Z")).toASN1Primitive()).isNotInstanceOf(ASN1UTCTime.class);
  }
}

package io.trustmesh.core.ca;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1UTCTime;
import org.bouncycastle.asn1.x509.Time;

/**
 * Certificate validity times (RFC 5280 §4.1.2.5): UTCTime {@code YYMMDDHHMMSSZ} for 1950 to 2049,
 * GeneralizedTime otherwise, always in whole seconds.
 *
 * <p>Bouncy Castle's {@code new Time(Date)} creates two {@code SimpleDateFormat}s per call (one to
 * format, one to check its own output), which costs a CA server more than the certificate's
 * signature; the UTCTime form is written here directly.
 */
final class Times {
  private Times() {}

  static Time of(Instant instant) {
    LocalDateTime t = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), 0, ZoneOffset.UTC);
    int year = t.getYear();
    if (year < 1950 || year > 2049) {
      return new Time(Date.from(instant), Locale.ROOT);
    }
    byte[] der = new byte[15];
    der[0] = 0x17; // UTCTime
    der[1] = 13;
    digits(der, 2, year % 100);
    digits(der, 4, t.getMonthValue());
    digits(der, 6, t.getDayOfMonth());
    digits(der, 8, t.getHour());
    digits(der, 10, t.getMinute());
    digits(der, 12, t.getSecond());
    der[14] = 'Z';
    return new Time(ASN1UTCTime.getInstance(der));
  }

  private static void digits(byte[] out, int off, int value) {
    out[off] = (byte) ('0' + value / 10);
    out[off + 1] = (byte) ('0' + value % 10);
  }
}

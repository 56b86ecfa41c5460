package io.trustmesh.core.x509;

import java.math.BigInteger;
import java.util.HexFormat;

/** Certificate serial numbers as trustmesh prints and stores them: lowercase hex, no leading zeros. */
public final class Serials {
  private static final HexFormat HEX = HexFormat.of();

  private Serials() {}

  /** Same text as {@code serial.toString(16)} for a positive serial, without its per-digit division. */
  public static String hex(BigInteger serial) {
    if (serial.signum() <= 0) {
      return serial.toString(16);
    }
    String hex = HEX.formatHex(serial.toByteArray());
    int start = 0;
    while (start < hex.length() - 1 && hex.charAt(start) == '0') {
      start++;
    }
    return hex.substring(start);
  }
}

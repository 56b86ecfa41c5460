package io.trustmesh.core.x509;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SerialsTest {
  @Test
  void prints_what_big_integer_prints_in_base_16() {
    Random random = new Random(42);
    for (int bits = 1; bits <= 160; bits++) {
      BigInteger serial = new BigInteger(bits, random).add(BigInteger.ONE);
      assertThat(Serials.hex(serial)).as("%d bits", bits).isEqualTo(serial.toString(16));
    }
    assertThat(Serials.hex(BigInteger.ONE)).isEqualTo("1");
    assertThat(Serials.hex(new BigInteger("00ff", 16))).isEqualTo("ff");
    assertThat(Serials.hex(BigInteger.ONE.shiftLeft(127))).isEqualTo("8" + "0".repeat(31));
  }
}

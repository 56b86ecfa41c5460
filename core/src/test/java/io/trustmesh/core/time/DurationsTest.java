package io.trustmesh.core.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.BadInputException;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  @ParameterizedTest
  @CsvSource({"90s,PT1M30S", "15m,PT15M", "24h,PT24H", "7d,PT168H", "1h30m,PT1H30M", "1y,PT8760H"})
  void parsesUnits(String raw, Duration expected) {
    assertThat(Durations.parse(raw)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "24", "h", "1w", "-1h", "1.5h", "24 h", "0s", "ten minutes"})
  void refusesAnythingElseNamingTheValue(String raw) {
    assertThatThrownBy(() -> Durations.parse(raw))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("'" + raw + "'");
  }

  @ParameterizedTest
  @CsvSource({"PT45S,45s", "PT59M59S,59m59s", "PT24H,24h", "PT25H30M,25h30m", "PT240H,10d", "PT0S,0s"})
  void formatsForPeople(Duration d, String expected) {
    assertThat(Durations.format(d)).isEqualTo(expected);
  }
}

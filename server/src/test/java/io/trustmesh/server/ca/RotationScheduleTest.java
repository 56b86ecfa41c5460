package io.trustmesh.server.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.server.datastore.JdbcDataStore;
import io.trustmesh.server.keymanager.MemoryKeyManager;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotationScheduleTest {
  @TempDir Path dir;

  @Test
  void refusesAnSvidTtlTheScheduleCannotHonourAndExplainsWhy() {
    assertThatThrownBy(() -> RotationSchedule.check(Duration.ofHours(168), Duration.ofHours(30), "SVID TTL"))
        .isInstanceOf(BadInputException.class)
        .hasMessage("SVID TTL 30h exceeds what a 7d signing CA can honour: a signing CA is replaced at 5/6 of its"
            + " life, so the last SVIDs it signs can live at most 1/6 of it (7d / 6 = 28h); lower the SVID TTL"
            + " to 28h or raise --ca-ttl to at least 7d12h");
    RotationSchedule.check(Duration.ofHours(168), Duration.ofHours(28), "SVID TTL");
  }

  @Test
  void preparesAtHalfLifeActivatesAtFiveSixthsRetiresAfterTheLastSvids() {
    Instant t0 = Instant.parse("2030-01-01T00:00:00Z");
    Instant[] now = {t0};
    Clock clock = new Clock() {
      @Override
      public Instant instant() {
        return now[0];
      }

      @Override
      public java.time.ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }
    };
    try (JdbcDataStore store = JdbcDataStore.open("sqlite", dir)) {
      SigningAuthority sa = new SigningAuthority(TrustDomain.parse("example.org"), Upstream.selfSignedRoots(),
          Duration.ofHours(60), Duration.ofHours(10), new MemoryKeyManager(), store, clock);
      assertThat(sa.rotate()).isTrue();
      var first = sa.active().certificate();
      assertThat(sa.bundle()).containsExactly(first);

      now[0] = t0.plus(Duration.ofHours(29));
      assertThat(sa.rotate()).isFalse();
      now[0] = t0.plus(Duration.ofHours(30));
      assertThat(sa.rotate()).as("prepared at 1/2").isTrue();
      assertThat(sa.bundle()).hasSize(2);
      assertThat(sa.bundle()).extracting(c -> c.getSubjectX500Principal().getName())
          .as("each signing CA named apart, by the start of its ID")
          .allMatch(n -> n.matches("CN=trustmesh signing CA ca-[0-9a-f]{8},O=example.org"))
          .doesNotHaveDuplicates();
      assertThat(sa.active().certificate()).isEqualTo(first);

      now[0] = t0.plus(Duration.ofHours(49));
      sa.rotate();
      assertThat(sa.active().certificate()).isEqualTo(first);
      now[0] = t0.plus(Duration.ofHours(50));
      sa.rotate();
      assertThat(sa.active().certificate()).as("activated at 5/6").isNotEqualTo(first);
      assertThat(sa.bundle()).contains(first);

      now[0] = t0.plus(Duration.ofHours(59));
      sa.rotate();
      assertThat(sa.bundle()).as("kept while SVIDs it signed may live").contains(first);
      now[0] = t0.plus(Duration.ofHours(60));
      sa.rotate();
      assertThat(sa.bundle()).doesNotContain(first);
      assertThat(store.signingCas()).hasSize(2);
    }
  }
}

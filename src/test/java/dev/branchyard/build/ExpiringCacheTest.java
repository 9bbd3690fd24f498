package dev.branchyard.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ExpiringCacheTest {

  @Test
  void countsHitsAndMissesIncludingExpiredEntriesAsMisses() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-02T07:00:00Z"));
    ExpiringCache<String, String> cache = new ExpiringCache<>(clock, 10);

    cache.get("a");
    cache.put("a", "sha256:1", clock.instant().plusSeconds(60));
    cache.get("a");
    cache.get("a");
    clock.advance(Duration.ofSeconds(61));
    cache.get("a");

    assertThat(cache.hits()).isEqualTo(2);
    assertThat(cache.misses()).isEqualTo(2);
  }
}

package dev.branchyard.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private final Backoff backoff = new Backoff(Duration.ofSeconds(2), Duration.ofMinutes(5));

  @Test
  void doublesTheWaitWithEachFailureWithinAJitteredHalf() {
    assertThat(backoff.delay(1, 0.0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.delay(1, 0.999)).isBetween(Duration.ofMillis(1990), Duration.ofSeconds(2));
    assertThat(backoff.delay(2, 0.0)).isEqualTo(Duration.ofSeconds(2));
    assertThat(backoff.delay(3, 0.5)).isEqualTo(Duration.ofSeconds(6));
  }

  @Test
  void neverWaitsLongerThanTheMaximum() {
    assertThat(backoff.delay(9, 0.999)).isLessThanOrEqualTo(Duration.ofMinutes(5));
    assertThat(backoff.delay(1000, 0.0)).isEqualTo(Duration.ofSeconds(150));
  }

  @Test
  void refusesAMaximumBelowTheFirstWait() {
    assertThatThrownBy(() -> new Backoff(Duration.ofMinutes(1), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

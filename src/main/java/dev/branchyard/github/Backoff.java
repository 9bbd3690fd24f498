package dev.branchyard.github;

import dev.branchyard.Pure;
import java.time.Duration;

/**
 * Exponential backoff with jitter: the wait doubles from {@code initial} with each failure up to
 * {@code max}, and a random half of it is taken off so that many environments failing together do
 * not retry together.
 */
@Pure
public record Backoff(Duration initial, Duration max) {

  public Backoff {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "backoff needs 0 < initial <= max, got " + initial + " and " + max);
    }
  }

  /**
   * The wait before retry number {@code failures} (1 for the first retry).
   *
   * @param random a number in [0, 1)
   */
  public Duration delay(int failures, double random) {
    long initialMillis = initial.toMillis();
    long maxMillis = max.toMillis();
    int doublings = Math.max(0, Math.min(failures - 1, 40));
    long ceiling =
        doublings >= 62 || initialMillis > (maxMillis >> doublings)
            ? maxMillis
            : Math.min(maxMillis, initialMillis << doublings);
    long half = ceiling / 2;
    return Duration.ofMillis(half + (long) (random * (ceiling - half)));
  }
}

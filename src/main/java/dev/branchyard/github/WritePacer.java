package dev.branchyard.github;

import java.util.function.LongSupplier;

/**
 * A token bucket for writes: up to {@code perSecond} at once after a quiet second, then one every
 * {@code 1/perSecond} seconds. {@link #reserve()} takes a write's slot and says how long to wait
 * for it, so callers that arrive together are spread out instead of all refused. Pure: time comes
 * from the supplier.
 */
final class WritePacer {

  private final long interval;
  private final long tolerance;
  private final LongSupplier nanoTime;

  /** When the next write would be due if writes came exactly one interval apart (GCRA). */
  private long due;

  /**
   * @param perSecond writes per second in the long run, and how many may go at once after a quiet
   *     second
   * @throws IllegalArgumentException if {@code perSecond} is below 1
   */
  WritePacer(int perSecond, LongSupplier nanoTime) {
    if (perSecond < 1) {
      throw new IllegalArgumentException(
          "branchyard.github.intake.max-writes-per-second must be at least 1, not " + perSecond);
    }
    this.interval = 1_000_000_000L / perSecond;
    this.tolerance = interval * (perSecond - 1);
    this.nanoTime = nanoTime;
    this.due = nanoTime.getAsLong();
  }

  /** Takes the next write slot; returns how many nanoseconds to wait for it (0: go now). */
  synchronized long reserve() {
    long now = nanoTime.getAsLong();
    // A quiet spell saves up no more than the burst: the schedule restarts from now.
    long slot = due - now > 0 ? due : now;
    due = slot + interval;
    return Math.max(0, slot - now - tolerance);
  }
}

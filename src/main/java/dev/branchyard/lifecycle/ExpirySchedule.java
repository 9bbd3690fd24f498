package dev.branchyard.lifecycle;

/**
 * Where the controller reports that an environment's {@code status.expiresAt} was set or moved (by
 * admission or an extension), so its expiry timer moves at once rather than at the next sweep.
 * {@link TtlClock} implements it.
 */
public interface ExpirySchedule {

  /** Sets or moves the timers of {@code environment} to its {@code status.expiresAt}. */
  void schedule(Environment environment);
}

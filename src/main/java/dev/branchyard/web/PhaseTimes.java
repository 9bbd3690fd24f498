package dev.branchyard.web;

import dev.branchyard.Pure;
import dev.branchyard.lifecycle.EnvironmentPhase;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How long environments spend in each phase, from the phase changes this replica sees: each change
 * ends the time in the previous phase, and the first {@code Ready} ends the time to ready (from
 * creation). Environments first seen mid-way (at start-up) only count from their next change, so a
 * restart never records made-up durations.
 */
@Pure
final class PhaseTimes {

  /**
   * What a phase change ended.
   *
   * @param phase the phase left
   * @param inPhase how long the environment was in it (as seen here)
   * @param timeToReady from creation to the first Ready, when this change is that
   */
  record Ended(EnvironmentPhase phase, Duration inPhase, Optional<Duration> timeToReady) {}

  private record Seen(EnvironmentPhase phase, Instant since, boolean timed, boolean wasReady) {}

  private final Map<String, Seen> seen = new ConcurrentHashMap<>();

  /**
   * An environment as it is now.
   *
   * @param id its identity (uid)
   * @param phase its phase now
   * @param createdAt when it was created
   * @param now the observation time
   * @param fromStart true when the environment is new to the world (not just new to this replica):
   *     the time in its first phase is then measured from {@code createdAt}
   */
  synchronized Optional<Ended> observe(
      String id, EnvironmentPhase phase, Instant createdAt, Instant now, boolean fromStart) {
    Objects.requireNonNull(phase, "phase");
    Seen before = seen.get(id);
    if (before == null) {
      seen.put(
          id,
          new Seen(
              phase,
              fromStart && createdAt != null ? createdAt : now,
              fromStart,
              phase == EnvironmentPhase.Ready || !fromStart));
      return Optional.empty();
    }
    if (before.phase() == phase) {
      return Optional.empty();
    }
    boolean firstReady = phase == EnvironmentPhase.Ready && !before.wasReady();
    seen.put(id, new Seen(phase, now, true, before.wasReady() || phase == EnvironmentPhase.Ready));
    if (!before.timed()) {
      return Optional.empty();
    }
    Optional<Duration> toReady =
        firstReady && createdAt != null
            ? Optional.of(Duration.between(createdAt, now))
            : Optional.empty();
    return Optional.of(new Ended(before.phase(), Duration.between(before.since(), now), toReady));
  }

  /** The environment is gone. */
  void forget(String id) {
    seen.remove(id);
  }
}

package dev.branchyard.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.lifecycle.EnvironmentPhase;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PhaseTimesTest {

  private static final Instant CREATED = Instant.parse("2026-12-02T07:00:00Z");

  private static Instant at(int seconds) {
    return CREATED.plusSeconds(seconds);
  }

  @Test
  void recordsTheTimeInEachPhaseAndTheTimeToTheFirstReady() {
    PhaseTimes times = new PhaseTimes();

    assertThat(times.observe("a", EnvironmentPhase.Pending, CREATED, at(1), true)).isEmpty();
    assertThat(times.observe("a", EnvironmentPhase.Building, CREATED, at(5), false))
        .contains(
            new PhaseTimes.Ended(
                EnvironmentPhase.Pending, Duration.ofSeconds(5), Optional.empty()));
    assertThat(times.observe("a", EnvironmentPhase.Building, CREATED, at(7), false)).isEmpty();
    assertThat(times.observe("a", EnvironmentPhase.Ready, CREATED, at(65), false))
        .contains(
            new PhaseTimes.Ended(
                EnvironmentPhase.Building,
                Duration.ofSeconds(60),
                Optional.of(Duration.ofSeconds(65))));
  }

  @Test
  void countsTimeToReadyOnlyOnceEvenWhenAnEnvironmentGoesBackAndReadyAgain() {
    PhaseTimes times = new PhaseTimes();
    times.observe("a", EnvironmentPhase.Deploying, CREATED, at(0), true);
    times.observe("a", EnvironmentPhase.Ready, CREATED, at(10), false);
    times.observe("a", EnvironmentPhase.Deploying, CREATED, at(100), false);

    assertThat(times.observe("a", EnvironmentPhase.Ready, CREATED, at(130), false))
        .contains(
            new PhaseTimes.Ended(
                EnvironmentPhase.Deploying, Duration.ofSeconds(30), Optional.empty()));
  }

  @Test
  void neverRecordsAPhaseItSawOnlyFromTheMiddleAfterARestart() {
    PhaseTimes times = new PhaseTimes();
    times.observe("a", EnvironmentPhase.Building, CREATED, at(500), false);

    assertThat(times.observe("a", EnvironmentPhase.Deploying, CREATED, at(510), false)).isEmpty();
    assertThat(times.observe("a", EnvironmentPhase.Ready, CREATED, at(530), false))
        .contains(
            new PhaseTimes.Ended(
                EnvironmentPhase.Deploying, Duration.ofSeconds(20), Optional.empty()));
  }

  @Test
  void startsAfreshForAnEnvironmentItWasToldToForget() {
    PhaseTimes times = new PhaseTimes();
    times.observe("a", EnvironmentPhase.Pending, CREATED, at(0), true);
    times.forget("a");

    assertThat(times.observe("a", EnvironmentPhase.Ready, CREATED, at(10), false)).isEmpty();
  }
}

package dev.branchyard.testing;

import dev.branchyard.lifecycle.LifecycleConfig;
import java.time.Duration;
import java.util.Optional;

/** {@link LifecycleConfig} for tests built by hand: short polls and timeouts. */
public record TestLifecycleConfig(
    Duration apiCheckTimeout,
    Duration deployPollInterval,
    Duration buildPollInterval,
    Duration readyTimeout,
    Duration retryInterval,
    Duration teardownPollInterval,
    TtlClocks ttl,
    Reaper reaper,
    GlobalLimits limits,
    boolean assumeLeader,
    LeaderElection leaderElection)
    implements LifecycleConfig {

  public static TestLifecycleConfig defaults() {
    return new TestLifecycleConfig(
        Duration.ofSeconds(2),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMinutes(2),
        Duration.ofSeconds(5),
        Duration.ofSeconds(1),
        new Clocks(Duration.ofMinutes(30), Duration.ofMinutes(1)),
        new Reap(Duration.ofMinutes(5), Duration.ofMinutes(10)),
        new Limits(50, Duration.ofSeconds(1)),
        true,
        new Election(
            false,
            "branchyard",
            Optional.empty(),
            Optional.empty(),
            Duration.ofSeconds(4),
            Duration.ofSeconds(3),
            Duration.ofMillis(500)));
  }

  /**
   * The application's defaults ({@code @WithDefault} of {@link LifecycleConfig}), for benchmarks
   * that must run the controller as it runs in production.
   */
  public static TestLifecycleConfig productionDefaults() {
    return new TestLifecycleConfig(
        Duration.ofSeconds(2),
        Duration.ofSeconds(1),
        Duration.ofSeconds(3),
        Duration.ofMinutes(10),
        Duration.ofSeconds(30),
        Duration.ofSeconds(3),
        new Clocks(Duration.ofMinutes(30), Duration.ofMinutes(1)),
        new Reap(Duration.ofMinutes(5), Duration.ofMinutes(10)),
        new Limits(50, Duration.ofSeconds(5)),
        true,
        defaults().leaderElection());
  }

  public TestLifecycleConfig withDeployPollInterval(Duration interval) {
    return new TestLifecycleConfig(
        apiCheckTimeout,
        interval,
        buildPollInterval,
        readyTimeout,
        retryInterval,
        teardownPollInterval,
        ttl,
        reaper,
        limits,
        assumeLeader,
        leaderElection);
  }

  public TestLifecycleConfig withMaxEnvironments(int max) {
    return new TestLifecycleConfig(
        apiCheckTimeout,
        deployPollInterval,
        buildPollInterval,
        readyTimeout,
        retryInterval,
        teardownPollInterval,
        ttl,
        reaper,
        new Limits(max, limits.queuePollInterval()),
        assumeLeader,
        leaderElection);
  }

  record Clocks(Duration warnBefore, Duration sweepInterval) implements TtlClocks {}

  record Reap(Duration interval, Duration grace) implements Reaper {}

  public record Election(
      boolean enabled,
      String leaseName,
      Optional<String> leaseNamespace,
      Optional<String> identity,
      Duration leaseDuration,
      Duration renewDeadline,
      Duration retryPeriod)
      implements LeaderElection {}

  record Limits(int maxEnvironments, Duration queuePollInterval) implements GlobalLimits {}
}

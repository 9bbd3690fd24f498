package dev.branchyard.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.branchyard.build.BuildConfig;
import io.quarkus.arc.ClientProxy;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.Scheduler;
import org.quartz.listeners.JobListenerSupport;

/**
 * The clocks are wired by Quarkus: {@code branchyard.lifecycle.*} and {@code
 * branchyard.build.prune.*} read as documented, Quarkus' Quartz runs {@link TtlClock}'s jobs, and
 * without an operator ({@code %test}) this replica leads nothing.
 */
@QuarkusTest
@TestProfile(LifecycleWiringTest.ClockSettings.class)
class LifecycleWiringTest {

  public static class ClockSettings implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "quarkus.kubernetes-client.api-server-url", "https://127.0.0.1:9",
          "branchyard.lifecycle.ttl.warn-before", "45m",
          "branchyard.lifecycle.limits.max-environments", "20");
    }
  }

  @Inject LifecycleConfig config;
  @Inject BuildConfig buildConfig;
  @Inject Leadership leadership;
  @Inject TtlClock ttlClock;
  @Inject OrphanReaper reaper;
  @Inject BuildPruner pruner;
  @Inject ExpiryNotifier notifier;
  @Inject Scheduler quartz;

  @Test
  void readsClockSettingsAndKeepsTheDefaultsOfTheOthers() {
    assertThat(config.ttl().warnBefore()).isEqualTo(Duration.ofMinutes(45));
    assertThat(config.ttl().sweepInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.reaper().interval()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.reaper().grace()).isEqualTo(Duration.ofMinutes(10));
    assertThat(config.limits().maxEnvironments()).isEqualTo(20);
    assertThat(buildConfig.prune().interval()).isEqualTo(Duration.ofHours(1));
    assertThat(buildConfig.prune().keepFinished()).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void withoutAnOperatorTheTestProfileLeadsNothingAndTheJobsSkip() {
    assertThat(ClientProxy.unwrap(leadership)).isInstanceOf(ConfiguredLeadership.class);
    assertThat(leadership.isLeader()).isFalse();
    assertThat(ttlClock.sweep().expired()).isEmpty();
    assertThat(reaper.reap().deletedNamespaces()).isEmpty();
    assertThat(pruner.prune()).isEmpty();
    assertThat(ClientProxy.unwrap(notifier)).isInstanceOf(LoggingExpiryNotifier.class);
  }

  @Test
  void quarkusQuartzRunsTheTtlJobsOfTheClock() throws Exception {
    List<String> ran = new CopyOnWriteArrayList<>();
    List<JobExecutionException> failures = new CopyOnWriteArrayList<>();
    quartz
        .getListenerManager()
        .addJobListener(
            new JobListenerSupport() {
              @Override
              public String getName() {
                return "lifecycle-wiring-test";
              }

              @Override
              public void jobWasExecuted(
                  JobExecutionContext context, JobExecutionException failure) {
                ran.add(context.getJobDetail().getKey().toString());
                if (failure != null) {
                  failures.add(failure);
                }
              }
            });
    Environment environment = new Environment("shop-pr-1", null);
    environment.getMetadata().setNamespace("branchyard");
    environment.getMetadata().setUid("6f1c4f9e-0000-4000-8000-000000000001");
    environment.setStatus(
        ClockFixtures.status(EnvironmentPhase.Ready, "x", Instant.now().plusSeconds(1)));

    ttlClock.schedule(environment);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                ran.containsAll(
                    List.of(
                        TtlClock.EXPIRE_GROUP + ".branchyard/shop-pr-1",
                        TtlClock.WARN_GROUP + ".branchyard/shop-pr-1")));
    assertThat(failures).isEmpty();
  }
}

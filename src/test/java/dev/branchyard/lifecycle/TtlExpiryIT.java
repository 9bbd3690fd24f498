package dev.branchyard.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.branchyard.testing.LocalPlatform;
import dev.branchyard.testing.LocalPlatformExtension;
import dev.branchyard.testing.MutableClock;
import dev.branchyard.testing.TestLifecycleConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quartz.Scheduler;

/**
 * TTL expiry end to end through the controller: the controller and the TTL clock share an injected
 * {@link MutableClock}; the controller sets {@code expiresAt} from a short requested TTL and tells
 * the clock, and once the clock is moved past it the environment is deleted and its namespace goes.
 */
@ExtendWith(LocalPlatformExtension.class)
class TtlExpiryIT {

  private static final Duration READY = Duration.ofMinutes(3);

  private static LifecycleFixture fixture;
  private static Scheduler quartz;
  private static MutableClock clock;
  private static TtlClock ttl;
  private static LifecycleHarness controller;

  @BeforeAll
  static void start(LocalPlatform platform, KubernetesClient admin) throws Exception {
    fixture = LifecycleFixture.start(platform, admin, "ttl-e2e-it");
    quartz = ClockFixtures.startScheduler();
    clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    EventRecorder events = new EventRecorder(fixture.client(), clock);
    ttl =
        new TtlClock(
            fixture.client(), quartz, clock, Duration.ofMinutes(5), () -> true, n -> {}, events);
    controller =
        LifecycleHarness.start(fixture, "ttl", false, TestLifecycleConfig.defaults(), clock, ttl);
  }

  @AfterAll
  static void stop() throws Exception {
    if (controller != null) {
      controller.close();
    }
    if (quartz != null) {
      quartz.shutdown(false);
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void environmentPastItsTtlIsDeletedWithItsNamespace() throws IOException {
    String name = "ttl-pr-51";
    Trigger trigger =
        new Trigger(
            TriggerSource.PullRequest,
            "acme/web",
            51,
            LifecycleFixture.PR_BRANCH,
            "main",
            fixture.webCommit(0),
            "octocat",
            false);
    fixture
        .environments()
        .resource(new Environment(name, new EnvironmentSpec("e2e", trigger, "10m")))
        .create();
    Environment ready = fixture.awaitPhase(name, EnvironmentPhase.Ready, READY);
    String namespace = ready.getStatus().namespace();
    Instant expiresAt = Instant.parse(ready.getStatus().expiresAt());
    // The TTL counts from admission (the frozen clock), but not from before creation.
    Instant created = Instant.parse(ready.getMetadata().getCreationTimestamp());
    Instant from = created.isAfter(clock.instant()) ? created : clock.instant();
    assertThat(expiresAt).isEqualTo(from.plus(Duration.ofMinutes(10)));
    assertThat(ttl.sweep().expired()).as("not yet").isEmpty();

    clock.advance(Duration.ofMinutes(12));
    TtlClock.Sweep sweep = ttl.sweep();

    assertThat(sweep.expired()).containsExactly(name);
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                fixture.environments().withName(name).get() == null
                    && fixture.admin().namespaces().withName(namespace).get() == null);
  }
}

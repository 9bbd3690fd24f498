package dev.branchyard.lifecycle;

import static dev.branchyard.lifecycle.ClockFixtures.createEnvironment;
import static dev.branchyard.lifecycle.ClockFixtures.events;
import static dev.branchyard.lifecycle.ClockFixtures.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.branchyard.platform.ClusterManifests;
import dev.branchyard.testing.LocalPlatform;
import dev.branchyard.testing.LocalPlatformExtension;
import dev.branchyard.testing.MutableClock;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quartz.Scheduler;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.quartz.listeners.SchedulerListenerSupport;

/**
 * TTL expiry and warnings against a real API server, with a real (in-memory) Quartz scheduler. The
 * sweep tests move a {@link MutableClock}; the trigger tests use the system clock and TTLs of a few
 * seconds, as Quartz fires on real time.
 */
@ExtendWith(LocalPlatformExtension.class)
class TtlClockIT {

  private static final Duration WARN_BEFORE = Duration.ofMinutes(30);
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final List<ExpiryNotice> notices = new CopyOnWriteArrayList<>();
  private LocalPlatform platform;
  private KubernetesClient admin;
  private String namespace;
  private KubernetesClient client;
  private Scheduler quartz;
  private MutableClock clock;

  @BeforeAll
  static void installCrds(LocalPlatform platform, KubernetesClient admin) {
    ClusterManifests.installCrds(admin, platform.projectDir());
  }

  @BeforeEach
  void start(LocalPlatform platform, KubernetesClient admin) throws Exception {
    this.platform = platform;
    this.admin = admin;
    // A namespace per test: every sweep looks at all Environments of its namespace.
    namespace = ClockFixtures.createNamespace(admin, "ttl");
    client = ClockFixtures.clientIn(platform, namespace);
    quartz = ClockFixtures.startScheduler();
    clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  }

  @AfterEach
  void stop() throws Exception {
    quartz.shutdown(false);
    client.close();
    admin.namespaces().withName(namespace).delete();
  }

  private TtlClock ttlClock(Clock time, boolean leader) {
    return new TtlClock(
        client,
        quartz,
        time,
        WARN_BEFORE,
        () -> leader,
        notices::add,
        new EventRecorder(client, time));
  }

  private Environment get(String name) {
    return client.resources(Environment.class).inNamespace(namespace).withName(name).get();
  }

  private boolean goneOrDeleting(String name) {
    Environment environment = get(name);
    return environment == null || environment.getMetadata().getDeletionTimestamp() != null;
  }

  @Test
  void sweepDeletesTheExpiredEnvironmentKeepsTheOtherAndRecordsAnExpiredEvent() {
    Instant now = clock.instant();
    createEnvironment(
        client,
        "shop-old",
        "shop",
        status(EnvironmentPhase.Ready, "x", now.plus(Duration.ofHours(1))));
    createEnvironment(
        client,
        "shop-young",
        "shop",
        status(EnvironmentPhase.Ready, "y", now.plus(Duration.ofHours(5))));
    TtlClock ttl = ttlClock(clock, true);
    clock.advance(Duration.ofHours(2));

    TtlClock.Sweep sweep = ttl.sweep();

    assertThat(sweep.expired()).containsExactly("shop-old");
    await().atMost(WAIT).until(() -> goneOrDeleting("shop-old"));
    assertThat(get("shop-young")).isNotNull();
    assertThat(get("shop-young").getMetadata().getDeletionTimestamp()).isNull();
    assertThat(events(client, namespace, "Expired"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getInvolvedObject().getName()).isEqualTo("shop-old");
              assertThat(e.getInvolvedObject().getKind()).isEqualTo("Environment");
              assertThat(e.getMessage()).contains(now.plus(Duration.ofHours(1)).toString());
            });
  }

  @Test
  void sweepWarnsOncePerExpiryTimeAndAgainAfterAnExtension() {
    Instant expiresAt = clock.instant().plus(Duration.ofMinutes(20));
    Environment created =
        createEnvironment(
            client, "shop-pr-7", "shop", status(EnvironmentPhase.Ready, "x", expiresAt));
    TtlClock ttl = ttlClock(clock, true);

    assertThat(ttl.sweep().warned()).containsExactly("shop-pr-7");
    assertThat(ttl.sweep().warned()).isEmpty();

    assertThat(notices)
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.name()).isEqualTo("shop-pr-7");
              assertThat(n.specName()).isEqualTo("shop");
              assertThat(n.trigger().pullRequest()).isEqualTo(7);
              assertThat(n.expiresAt()).isEqualTo(expiresAt);
              assertThat(n.left()).isEqualTo(Duration.ofMinutes(20));
            });
    assertThat(events(client, namespace, "ExpiresSoon"))
        .singleElement()
        .satisfies(e -> assertThat(e.getMessage()).contains("expires in 20m"));
    assertThat(get("shop-pr-7").getMetadata().getAnnotations())
        .containsEntry(TtlClock.EXPIRY_WARNED, expiresAt.toString());

    Environment extended = get("shop-pr-7");
    extended.setStatus(status(EnvironmentPhase.Ready, "x", expiresAt.plus(Duration.ofHours(2))));
    client.resources(Environment.class).inNamespace(namespace).resource(extended).updateStatus();
    clock.advance(Duration.ofHours(2));

    assertThat(ttl.sweep().warned()).containsExactly("shop-pr-7");
    assertThat(notices).hasSize(2);
    assertThat(created.getMetadata().getUid()).isEqualTo(get("shop-pr-7").getMetadata().getUid());
  }

  @Test
  void scheduleSetsBothTriggersIdempotentlyAndMovesThemWithExpiresAt() throws Exception {
    Instant expiresAt = clock.instant().plus(Duration.ofHours(2));
    Environment environment =
        createEnvironment(
            client, "shop-pr-8", "shop", status(EnvironmentPhase.Ready, "x", expiresAt));
    TtlClock ttl = ttlClock(clock, true);
    TriggerKey expireKey = new TriggerKey(namespace + "/shop-pr-8", TtlClock.EXPIRE_GROUP);
    TriggerKey warnKey = new TriggerKey(namespace + "/shop-pr-8", TtlClock.WARN_GROUP);

    AtomicInteger scheduled = new AtomicInteger();
    quartz
        .getListenerManager()
        .addSchedulerListener(
            new SchedulerListenerSupport() {
              @Override
              public void jobScheduled(Trigger trigger) {
                scheduled.incrementAndGet();
              }
            });

    ttl.schedule(environment);
    ttl.schedule(environment);

    assertThat(scheduled).describedAs("triggers scheduled, the second call none").hasValue(2);
    assertThat(quartz.getTrigger(expireKey).getStartTime()).isEqualTo(Date.from(expiresAt));
    assertThat(quartz.getTrigger(warnKey).getStartTime())
        .isEqualTo(Date.from(expiresAt.minus(WARN_BEFORE)));

    environment.setStatus(status(EnvironmentPhase.Ready, "x", expiresAt.plus(Duration.ofHours(3))));
    ttl.schedule(environment);

    assertThat(quartz.getTrigger(expireKey).getStartTime())
        .isEqualTo(Date.from(expiresAt.plus(Duration.ofHours(3))));

    ttl.unschedule("shop-pr-8");

    assertThat(quartz.getTrigger(expireKey)).isNull();
    assertThat(quartz.getTrigger(warnKey)).isNull();
  }

  @Test
  void sweepRebuildsMissingTriggersAndDropsThoseOfDeletedEnvironments() throws Exception {
    Instant expiresAt = clock.instant().plus(Duration.ofHours(2));
    createEnvironment(client, "shop-live", "shop", status(EnvironmentPhase.Ready, "x", expiresAt));
    Environment gone =
        createEnvironment(
            client, "shop-gone", "shop", status(EnvironmentPhase.Ready, "x", expiresAt));
    TtlClock ttl = ttlClock(clock, true);
    ttl.schedule(gone);
    client.resource(gone).delete();
    await().atMost(WAIT).until(() -> get("shop-gone") == null);

    ttl.sweep();

    assertThat(quartz.getTrigger(new TriggerKey(namespace + "/shop-live", TtlClock.EXPIRE_GROUP)))
        .isNotNull();
    assertThat(quartz.getTrigger(new TriggerKey(namespace + "/shop-gone", TtlClock.EXPIRE_GROUP)))
        .isNull();
    assertThat(quartz.getTrigger(new TriggerKey(namespace + "/shop-gone", TtlClock.WARN_GROUP)))
        .isNull();
  }

  @Test
  void triggersWarnAndThenDeleteTheEnvironmentWhenItsTimeComes() {
    Clock system = Clock.systemUTC();
    // Expiring in 3 s: the warning time has passed already, so that trigger fires at once.
    Instant expiresAt = system.instant().plusSeconds(3);
    Environment environment =
        createEnvironment(
            client, "shop-pr-9", "shop", status(EnvironmentPhase.Ready, "x", expiresAt));
    TtlClock ttl = ttlClock(system, true);

    ttl.schedule(environment);

    await().atMost(WAIT).until(() -> !events(client, namespace, "ExpiresSoon").isEmpty());
    assertThat(notices).extracting(ExpiryNotice::name).containsExactly("shop-pr-9");
    // The event follows the delete: wait for it, not only for the deletion.
    await().atMost(WAIT).until(() -> events(client, namespace, "Expired").size() == 1);
    assertThat(goneOrDeleting("shop-pr-9")).isTrue();
  }

  @Test
  void aReplicaThatIsNotTheLeaderNeitherSweepsNorActsOnItsTriggers() {
    Clock system = Clock.systemUTC();
    createEnvironment(
        client,
        "shop-expired",
        "shop",
        status(EnvironmentPhase.Ready, "x", system.instant().minusSeconds(60)));
    Environment soon =
        createEnvironment(
            client,
            "shop-soon",
            "shop",
            status(EnvironmentPhase.Ready, "x", system.instant().plusSeconds(1)));
    TtlClock follower = ttlClock(system, false);

    TtlClock.Sweep sweep = follower.sweep();
    follower.schedule(soon);

    assertThat(sweep.expired()).isEmpty();
    assertThat(sweep.warned()).isEmpty();
    // Both triggers of shop-soon fire within the wait; the follower ignores them.
    await()
        .atMost(WAIT)
        .until(
            () ->
                quartz.getTrigger(new TriggerKey(namespace + "/shop-soon", TtlClock.EXPIRE_GROUP))
                    == null);
    assertThat(get("shop-expired").getMetadata().getDeletionTimestamp()).isNull();
    assertThat(get("shop-soon").getMetadata().getDeletionTimestamp()).isNull();
    assertThat(events(client, namespace, "Expired")).isEmpty();
    assertThat(events(client, namespace, "ExpiresSoon")).isEmpty();
    assertThat(notices).isEmpty();
  }
}

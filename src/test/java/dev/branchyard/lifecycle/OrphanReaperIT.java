package dev.branchyard.lifecycle;

import static dev.branchyard.lifecycle.ClockFixtures.createEnvironment;
import static dev.branchyard.lifecycle.ClockFixtures.events;
import static dev.branchyard.lifecycle.ClockFixtures.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.deploy.EnvironmentLabels;
import dev.branchyard.platform.ClusterManifests;
import dev.branchyard.testing.LocalPlatform;
import dev.branchyard.testing.LocalPlatformExtension;
import dev.branchyard.testing.MutableClock;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The orphan reaper against a real API server: which labelled namespaces it deletes, which it
 * keeps, and the repair it asks for when a Ready environment's namespace is gone.
 */
@ExtendWith(LocalPlatformExtension.class)
class OrphanReaperIT {

  private static final Duration GRACE = Duration.ofMinutes(10);

  private KubernetesClient admin;
  private String home;
  private KubernetesClient client;
  private MutableClock clock;
  private final List<String> created = new java.util.ArrayList<>();

  @BeforeAll
  static void installCrds(LocalPlatform platform, KubernetesClient admin) {
    ClusterManifests.installCrds(admin, platform.projectDir());
  }

  @BeforeEach
  void start(LocalPlatform platform, KubernetesClient admin) {
    this.admin = admin;
    home = ClockFixtures.createNamespace(admin, "reap");
    created.add(home);
    client = ClockFixtures.clientIn(platform, home);
    clock = new MutableClock(Instant.now());
  }

  @AfterEach
  void stop() {
    client.close();
    created.forEach(n -> admin.namespaces().withName(n).delete());
  }

  private OrphanReaper reaper(boolean leader) {
    return new OrphanReaper(client, clock, GRACE, () -> leader, new EventRecorder(client, clock));
  }

  /** An environment namespace as the controller labels it. */
  private String environmentNamespace(
      String suffix, String homeNamespace, String environment, String uid) {
    String name = home + "-" + suffix;
    Map<String, String> labels = new HashMap<>();
    labels.put(EnvironmentLabels.MANAGED_BY, EnvironmentLabels.MANAGED_BY_VALUE);
    labels.put(EnvironmentLabels.HOME_NAMESPACE, homeNamespace);
    labels.put(EnvironmentLabels.ENVIRONMENT, environment);
    admin
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .withAnnotations(
                    uid == null ? Map.of() : Map.of(EnvironmentLabels.ENVIRONMENT_UID, uid))
                .endMetadata()
                .build())
        .create();
    created.add(name);
    return name;
  }

  private boolean deleting(String namespace) {
    Namespace found = admin.namespaces().withName(namespace).get();
    return found == null || found.getMetadata().getDeletionTimestamp() != null;
  }

  @Test
  void deletesOrphansOlderThanTheGraceAndKeepsEveryOtherNamespace() {
    Environment live = createEnvironment(client, "shop-live", "shop", null);
    String liveUid = live.getMetadata().getUid();
    String owned = environmentNamespace("owned", home, "shop-live", liveUid);
    String orphan = environmentNamespace("orphan", home, "shop-gone", UUID.randomUUID().toString());
    String replaced =
        environmentNamespace("replaced", home, "shop-live", UUID.randomUUID().toString());
    String otherHome = environmentNamespace("other", "somewhere-else", "shop-gone", null);
    clock.advance(GRACE.plusMinutes(1));

    OrphanReaper.Reaped reaped = reaper(true).reap();

    assertThat(reaped.deletedNamespaces()).containsExactlyInAnyOrder(orphan, replaced);
    assertThat(deleting(orphan)).isTrue();
    assertThat(deleting(replaced)).isTrue();
    assertThat(deleting(owned)).isFalse();
    assertThat(deleting(otherHome)).isFalse();
    assertThat(events(client, home, "OrphanNamespaceDeleted"))
        .extracting(e -> e.getInvolvedObject().getName() + ": " + e.getMessage())
        .containsExactlyInAnyOrder(
            "shop-gone: deleted namespace "
                + orphan
                + ": its Environment shop-gone no longer exists",
            "shop-live: deleted namespace "
                + replaced
                + ": its Environment shop-live was replaced by a new one (another uid)");
  }

  @Test
  void keepsAYoungOrphanUntilItIsOlderThanTheGrace() {
    String orphan = environmentNamespace("young", home, "shop-gone", null);
    OrphanReaper reaper = reaper(true);

    assertThat(reaper.reap().deletedNamespaces()).isEmpty();
    assertThat(deleting(orphan)).isFalse();

    clock.advance(GRACE.plusMinutes(1));

    assertThat(reaper.reap().deletedNamespaces()).containsExactly(orphan);
  }

  @Test
  void asksForTheRepairOfAReadyEnvironmentWhoseNamespaceIsGone() {
    String existing = environmentNamespace("ok", home, "shop-ok", null);
    createEnvironment(client, "shop-ok", "shop", status(EnvironmentPhase.Ready, existing, null));
    createEnvironment(
        client, "shop-lost", "shop", status(EnvironmentPhase.Ready, home + "-lost", null));
    createEnvironment(
        client, "shop-busy", "shop", status(EnvironmentPhase.Deploying, home + "-busy", null));

    OrphanReaper.Reaped reaped = reaper(true).reap();

    assertThat(reaped.repairsRequested()).containsExactly("shop-lost");
    var environments = client.resources(Environment.class).inNamespace(home);
    assertThat(environments.withName("shop-lost").get().getMetadata().getAnnotations())
        .containsKey(OrphanReaper.RECONCILE_REQUESTED);
    assertThat(environments.withName("shop-ok").get().getMetadata().getAnnotations())
        .doesNotContainKey(OrphanReaper.RECONCILE_REQUESTED);
    assertThat(environments.withName("shop-busy").get().getMetadata().getAnnotations())
        .doesNotContainKey(OrphanReaper.RECONCILE_REQUESTED);
    assertThat(events(client, home, "NamespaceMissing"))
        .singleElement()
        .satisfies(e -> assertThat(e.getInvolvedObject().getName()).isEqualTo("shop-lost"));
  }

  @Test
  void aReplicaThatIsNotTheLeaderReapsNothing() {
    String orphan = environmentNamespace("follower", home, "shop-gone", null);
    createEnvironment(
        client, "shop-lost", "shop", status(EnvironmentPhase.Ready, home + "-lost", null));
    clock.advance(GRACE.plusMinutes(1));

    OrphanReaper.Reaped reaped = reaper(false).reap();

    assertThat(reaped.deletedNamespaces()).isEmpty();
    assertThat(reaped.repairsRequested()).isEmpty();
    assertThat(deleting(orphan)).isFalse();
    assertThat(
            client
                .resources(Environment.class)
                .inNamespace(home)
                .withName("shop-lost")
                .get()
                .getMetadata()
                .getAnnotations())
        .doesNotContainKey(OrphanReaper.RECONCILE_REQUESTED);
  }
}

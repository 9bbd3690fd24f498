package dev.branchyard.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.branchyard.deploy.EnvironmentLabels;
import dev.branchyard.testing.LocalPlatform;
import dev.branchyard.testing.LocalPlatformExtension;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Controller replicas dying and taking over, on the real control plane: a replica stopped in the
 * middle of deploying an environment and a new one started converge on the same objects (no
 * duplicates); two replicas electing a leader over a Lease, the follower taking over within the
 * lease duration when the leader dies.
 */
@ExtendWith(LocalPlatformExtension.class)
class ControllerFailoverIT {

  private static final Duration READY = Duration.ofMinutes(3);

  private static LifecycleFixture fixture;

  @BeforeAll
  static void start(LocalPlatform platform, KubernetesClient admin) throws IOException {
    fixture = LifecycleFixture.start(platform, admin, "failover-it");
  }

  @AfterAll
  static void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void replicaKilledMidDeployIsReplacedAndTheEnvironmentConvergesWithoutDuplicates() {
    LifecycleHarness first = fixture.startController("first");
    String name = fixture.createEnvironment("e2e-pr-10", 10, fixture.webCommit(0));
    // Kill it as soon as it started applying (the namespace exists, components are not all ready).
    await()
        .atMost(READY)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              Environment env = fixture.environments().withName(name).get();
              return env.getStatus() != null
                  && env.getStatus().phase() == EnvironmentPhase.Deploying;
            });
    first.close();

    fixture.startController("second");
    Environment ready = fixture.awaitPhase(name, EnvironmentPhase.Ready, READY);

    String namespace = ready.getStatus().namespace();
    assertThat(
            LifecycleFixtureNames.names(
                fixture.admin().apps().deployments().inNamespace(namespace).list().getItems()))
        .containsExactlyInAnyOrder("web", "api");
    assertThat(
            LifecycleFixtureNames.names(
                fixture.admin().apps().statefulSets().inNamespace(namespace).list().getItems()))
        .containsExactly("db");
    assertThat(
            fixture
                .admin()
                .namespaces()
                .withLabel(EnvironmentLabels.ENVIRONMENT, name)
                .list()
                .getItems())
        .hasSize(1);
    assertThat(
            fixture
                .client()
                .resources(dev.branchyard.build.ImageBuild.class)
                .list()
                .getItems()
                .stream()
                .filter(
                    b ->
                        b.getMetadata().getOwnerReferences().stream()
                            .anyMatch(o -> o.getUid().equals(ready.getMetadata().getUid()))))
        .as("at most one build per image, however often the environment was reconciled")
        .hasSizeLessThanOrEqualTo(2);
    fixture.stopControllers();
  }

  @Test
  void followerTakesOverWithinTheLeaseWhenTheLeaderDies() {
    LifecycleHarness a = fixture.startElectedController("replica-a");
    LifecycleHarness b = fixture.startElectedController("replica-b");
    await().atMost(Duration.ofSeconds(30)).until(() -> a.isLeader() ^ b.isLeader());
    LifecycleHarness leader = a.isLeader() ? a : b;
    LifecycleHarness follower = leader == a ? b : a;

    String first = fixture.createEnvironment("e2e-pr-11", 11, fixture.webCommit(0));
    fixture.awaitPhase(first, EnvironmentPhase.Ready, READY);

    leader.close();
    long died = System.nanoTime();
    await()
        .atMost(LifecycleHarness.LEASE.multipliedBy(3))
        .pollInterval(Duration.ofMillis(100))
        .until(follower::isLeader);
    Duration takeover = Duration.ofNanos(System.nanoTime() - died);
    assertThat(takeover).isLessThan(LifecycleHarness.LEASE.multipliedBy(3));

    String second = fixture.createEnvironment("e2e-pr-12", 12, fixture.webCommit(1));
    fixture.awaitPhase(second, EnvironmentPhase.Ready, READY);
    fixture.stopControllers();
  }

  /** Names of listed objects. */
  static final class LifecycleFixtureNames {
    static List<String> names(List<? extends HasMetadata> items) {
      return items.stream().map(i -> i.getMetadata().getName()).toList();
    }
  }
}

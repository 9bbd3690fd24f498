package dev.branchyard.lifecycle;

import static dev.branchyard.lifecycle.ClockFixtures.createEnvironment;
import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.build.ImageBuild;
import dev.branchyard.build.ImageBuildPhase;
import dev.branchyard.build.ImageBuildRequests;
import dev.branchyard.build.ImageBuildSpec;
import dev.branchyard.build.ImageBuildStatus;
import dev.branchyard.platform.ClusterManifests;
import dev.branchyard.testing.LocalPlatform;
import dev.branchyard.testing.LocalPlatformExtension;
import dev.branchyard.testing.MutableClock;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Build pruning against a real API server: which finished builds go, which stay. */
@ExtendWith(LocalPlatformExtension.class)
class BuildPrunerIT {

  private static final Duration KEEP = Duration.ofDays(7);

  private static KubernetesClient admin;
  private static String namespace;
  private static KubernetesClient client;
  private static Environment owner;

  @BeforeAll
  static void start(LocalPlatform platform, KubernetesClient adminClient) {
    admin = adminClient;
    ClusterManifests.installCrds(admin, platform.projectDir());
    namespace = ClockFixtures.createNamespace(admin, "prune");
    client = ClockFixtures.clientIn(platform, namespace);
    owner = createEnvironment(client, "shop-pr-1", "shop", null);
  }

  @AfterAll
  static void stop() {
    client.close();
    admin.namespaces().withName(namespace).delete();
  }

  /**
   * A build as {@link ImageBuildRequests} makes them ({@code owned}: with the lifetime label) or by
   * hand, with the given owner (or none), phase and end.
   */
  private static void build(
      String name, boolean owned, Environment ownedBy, ImageBuildPhase phase, Instant finishedAt) {
    var builds = client.resources(ImageBuild.class).inNamespace(namespace);
    ImageBuild build =
        new ImageBuild(
            name,
            new ImageBuildSpec(
                "http://git.example/acme/api.git",
                ClockFixtures.SHA,
                "Dockerfile",
                ".",
                List.of(),
                "127.0.0.1:5000/acme/" + name + ":" + ClockFixtures.SHA + "-abc123"));
    if (owned) {
      build
          .getMetadata()
          .setLabels(Map.of(ImageBuildRequests.LIFETIME_LABEL, ImageBuildRequests.LIFETIME_OWNED));
    }
    if (ownedBy != null) {
      build
          .getMetadata()
          .setOwnerReferences(
              List.of(
                  new OwnerReferenceBuilder()
                      .withApiVersion(ownedBy.getApiVersion())
                      .withKind(ownedBy.getKind())
                      .withName(ownedBy.getMetadata().getName())
                      .withUid(ownedBy.getMetadata().getUid())
                      .build()));
    }
    ImageBuild created = builds.resource(build).create();
    created.setStatus(
        new ImageBuildStatus(
            1L,
            phase,
            null,
            null,
            finishedAt == null ? null : finishedAt.toString(),
            null,
            null,
            1,
            phase.name(),
            null,
            List.of()));
    builds.resource(created).updateStatus();
  }

  private static List<String> remaining() {
    return client.resources(ImageBuild.class).inNamespace(namespace).list().getItems().stream()
        .filter(b -> b.getMetadata().getDeletionTimestamp() == null)
        .map(b -> b.getMetadata().getName())
        .toList();
  }

  @Test
  void deletesOldFinishedBuildsNoEnvironmentNeedsAndKeepsTheRest() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Instant old = now.minus(KEEP).minus(Duration.ofHours(1));
    Instant recent = now.minus(KEEP).plus(Duration.ofHours(1));
    build("released-succeeded", true, null, ImageBuildPhase.Succeeded, old);
    build("released-failed", true, null, ImageBuildPhase.Failed, old);
    build("released-cancelled", true, null, ImageBuildPhase.Cancelled, old);
    build("released-skipped", true, null, ImageBuildPhase.Skipped, old);
    build("released-recent", true, null, ImageBuildPhase.Succeeded, recent);
    build("released-building", true, null, ImageBuildPhase.Building, null);
    build("still-owned", true, owner, ImageBuildPhase.Succeeded, old);
    build("by-hand", false, null, ImageBuildPhase.Failed, old);
    MutableClock clock = new MutableClock(now);

    assertThat(new BuildPruner(client, clock, KEEP, () -> false).prune())
        .describedAs("a follower prunes nothing")
        .isEmpty();
    assertThat(remaining()).hasSize(8);

    List<String> pruned = new BuildPruner(client, clock, KEEP, () -> true).prune();

    assertThat(pruned)
        .containsExactlyInAnyOrder(
            "released-succeeded", "released-failed", "released-cancelled", "released-skipped");
    assertThat(remaining())
        .containsExactlyInAnyOrder(
            "released-recent", "released-building", "still-owned", "by-hand");
  }
}

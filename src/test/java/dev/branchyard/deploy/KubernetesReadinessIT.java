package dev.branchyard.deploy;

import static dev.branchyard.deploy.TestManifests.configMap;
import static dev.branchyard.deploy.TestManifests.deployment;
import static dev.branchyard.deploy.TestManifests.fromYaml;
import static dev.branchyard.deploy.TestManifests.job;
import static dev.branchyard.deploy.TestManifests.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.branchyard.deploy.ManifestApplier.ApplyException;
import dev.branchyard.deploy.ReadinessChecker.NotReady;
import dev.branchyard.deploy.ReadinessChecker.Readiness;
import dev.branchyard.testing.LocalPlatformExtension;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link KubernetesReadiness} against the real control plane and the hollow node: Deployments go
 * Available there (no readiness probes), the scheduler really refuses pods it cannot place, and
 * Jobs never finish on their own, so the Job tests patch the Job's status through the status
 * subresource as the Job controller would.
 */
@ExtendWith(LocalPlatformExtension.class)
class KubernetesReadinessIT {

  private static final Duration AWAIT = Duration.ofSeconds(120);

  private static KubernetesClient admin;
  private static String namespace;
  private static ServerSideApplier applier;
  private static KubernetesReadiness readiness;

  @BeforeAll
  static void createNamespace(KubernetesClient client) {
    admin = client;
    namespace = "ready-it-" + UUID.randomUUID().toString().substring(0, 8);
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    ApiDiscovery discovery = new ApiDiscovery(client, Clock.systemUTC());
    applier = new ServerSideApplier(client, discovery);
    readiness = new KubernetesReadiness(client, discovery);
  }

  @AfterAll
  static void deleteNamespace() {
    // Not awaited: namespace deletion takes half a minute and is not what is tested here.
    admin.namespaces().withName(namespace).delete();
  }

  @Test
  void deploymentServiceAndConfigMapBecomeReadyOnceTheDeploymentIsAvailable()
      throws ApplyException {
    List<Manifest> manifests =
        List.of(
            configMap("web", "ready-config", Map.of("mode", "test")),
            service("web", "ready-web"),
            deployment("web", "env-ready", "ready-web", "example.invalid/web:1"));
    applier.apply(namespace, "env-ready", manifests);

    Readiness first = readiness.check(namespace, manifests);

    // Right after the apply, the Deployment has not been rolled out; only it can be not ready.
    assertThat(first.notReady())
        .allSatisfy(n -> assertThat(n.key()).isEqualTo(manifests.get(2).key()));
    await("ready-web ready")
        .atMost(AWAIT)
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> readiness.check(namespace, manifests).ready());
    assertThat(
            admin
                .apps()
                .deployments()
                .inNamespace(namespace)
                .withName("ready-web")
                .get()
                .getStatus()
                .getAvailableReplicas())
        .isEqualTo(1);
  }

  @Test
  void objectThatDoesNotExistIsNotFoundAndMayStillAppear() {
    Manifest never = configMap("web", "never-applied", Map.of());

    Readiness result = readiness.check(namespace, List.of(never));

    assertThat(result.ready()).isFalse();
    assertThat(result.failed()).isFalse();
    assertThat(result.notReady())
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.reason()).isEqualTo("NotFound");
              assertThat(n.component()).isEqualTo("web");
              assertThat(n.key()).isEqualTo(never.key());
            });
  }

  @Test
  void unschedulableDeploymentNamesItsPodAndTheSchedulersReason() throws ApplyException {
    Manifest stuck =
        deployment(
            "web",
            "env-stuck",
            "stuck-web",
            "example.invalid/web:1",
            """
            nodeSelector:
              branchyard.dev/no-such-node: "true"
            """);
    applier.apply(namespace, "env-stuck", List.of(stuck));

    AtomicReference<NotReady> seen = new AtomicReference<>();
    await("stuck-web reported unschedulable with the scheduler's event")
        .atMost(AWAIT)
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              List<NotReady> notReady = readiness.check(namespace, List.of(stuck)).notReady();
              seen.set(notReady.isEmpty() ? null : notReady.get(0));
              return seen.get() != null && seen.get().message().contains("FailedScheduling");
            });

    NotReady notReady = seen.get();
    assertThat(notReady.reason()).isEqualTo("Unschedulable");
    assertThat(notReady.failed()).isFalse();
    assertThat(notReady.message())
        .containsPattern("pod stuck-web-[a-z0-9]+-[a-z0-9]+ \\(Pending\\): not scheduled: ")
        .contains("0/1 nodes are available")
        .contains("recent warnings: FailedScheduling: ");
  }

  @Test
  void jobPatchedToFailedHasFailedWithItsReason() throws ApplyException {
    Manifest migrate = job("db", "failing-migrate");
    applier.apply(namespace, "env-job", List.of(migrate));
    assertThat(readiness.check(namespace, List.of(migrate)).notReady())
        .singleElement()
        .satisfies(n -> assertThat(n.failed()).isFalse());

    finishJob("failing-migrate", "Failed", "BackoffLimitExceeded");

    Readiness result = readiness.check(namespace, List.of(migrate));
    assertThat(result.failed()).isTrue();
    assertThat(result.notReady())
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.reason()).isEqualTo("BackoffLimitExceeded");
              assertThat(n.component()).isEqualTo("db");
            });
  }

  @Test
  void jobPatchedToCompleteIsReady() throws ApplyException {
    Manifest migrate = job("db", "done-migrate");
    applier.apply(namespace, "env-job", List.of(migrate));
    assertThat(readiness.check(namespace, List.of(migrate)).ready()).isFalse();

    finishJob("done-migrate", "Complete", null);

    assertThat(readiness.check(namespace, List.of(migrate)).ready()).isTrue();
  }

  @Test
  void claimWithoutAVolumeIsPendingUntilBound() throws ApplyException {
    // The local platform has no storage class and no volumes: the claim stays Pending.
    Manifest claim =
        fromYaml(
            "db",
            "templates/data.yaml",
            """
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata:
              name: data
            spec:
              accessModes: [ReadWriteOnce]
              storageClassName: ""
              resources:
                requests:
                  storage: 1Gi
            """);
    applier.apply(namespace, "env-claim", List.of(claim));

    assertThat(readiness.check(namespace, List.of(claim)).notReady())
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.reason()).isEqualTo("ClaimPending");
              assertThat(n.failed()).isFalse();
            });
  }

  /** Ends a Job as its controller would; the hollow node never runs the Job's pod to the end. */
  private static void finishJob(String name, String type, String reason) {
    String now = Instant.now().toString().replaceAll("\\.\\d+Z$", "Z");
    admin
        .batch()
        .v1()
        .jobs()
        .inNamespace(namespace)
        .withName(name)
        .editStatus(
            current ->
                new JobBuilder(current)
                    .editOrNewStatus()
                    .withActive(0)
                    .withSucceeded(type.equals("Complete") ? 1 : 0)
                    .withFailed(type.equals("Failed") ? 1 : 0)
                    .withCompletionTime(type.equals("Complete") ? now : null)
                    .addNewCondition()
                    .withType(type)
                    .withStatus("True")
                    .withReason(reason)
                    .withLastProbeTime(now)
                    .withLastTransitionTime(now)
                    .endCondition()
                    .endStatus()
                    .build());
  }
}

package dev.branchyard.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.branchyard.deploy.EnvironmentLabels;
import dev.branchyard.testing.LocalPlatform;
import dev.branchyard.testing.LocalPlatformExtension;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The environment controller end to end on the real local control plane: specs from a catalog, refs
 * resolved from git repositories served over HTTP, images built by real buildah into a real
 * registry by the ImageBuild controller, manifests and a Helm chart rendered and server-side
 * applied, Deployments and a StatefulSet becoming available on the hollow node, teardown.
 */
@ExtendWith(LocalPlatformExtension.class)
class EnvironmentControllerIT {

  private static final Duration READY = Duration.ofMinutes(3);

  private static LifecycleFixture fixture;
  private static LifecycleHarness controller;

  @BeforeAll
  static void start(LocalPlatform platform, KubernetesClient admin) throws IOException {
    fixture = LifecycleFixture.start(platform, admin, "env-it");
    controller = fixture.startController("one");
  }

  @AfterAll
  static void stop() {
    if (controller != null) {
      controller.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void threeComponentEnvironmentBecomesReadyWithImagesBuiltAndUrlsPublished() {
    String name = fixture.createEnvironment("e2e-pr-1", 1, fixture.webCommit(0));

    Environment ready = fixture.awaitPhase(name, EnvironmentPhase.Ready, READY);

    EnvironmentStatus status = ready.getStatus();
    assertThat(status.url()).isEqualTo("http://" + name + ".preview.test");
    assertThat(status.expiresAt()).isNotBlank();
    assertThat(status.observedGeneration()).isEqualTo(ready.getMetadata().getGeneration());
    assertThat(status.resolvedRefs())
        .extracting(ResolvedRef::component, ResolvedRef::refKind, ResolvedRef::sha)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                "web", RefKind.PullRequestHead, fixture.webCommit(0)),
            org.assertj.core.groups.Tuple.tuple("api", RefKind.Branch, fixture.apiMain()),
            org.assertj.core.groups.Tuple.tuple("db", RefKind.Tag, fixture.infraTag()));
    assertThat(status.components())
        .allSatisfy(c -> assertThat(c.deployPhase()).isEqualTo(DeployPhase.Ready));
    assertThat(status.conditions())
        .filteredOn(c -> c.getType().equals("Ready"))
        .singleElement()
        .satisfies(c -> assertThat(c.getStatus()).isEqualTo("True"));

    String namespace = status.namespace();
    Namespace ns = fixture.admin().namespaces().withName(namespace).get();
    assertThat(ns.getMetadata().getLabels())
        .containsEntry(EnvironmentLabels.ENVIRONMENT, name)
        .containsEntry(EnvironmentLabels.HOME_NAMESPACE, fixture.home());
    assertThat(ns.getMetadata().getAnnotations())
        .containsEntry(EnvironmentLabels.ENVIRONMENT_UID, ready.getMetadata().getUid());

    Map<String, String> images =
        fixture.admin().apps().deployments().inNamespace(namespace).list().getItems().stream()
            .collect(
                Collectors.toMap(
                    d -> d.getMetadata().getName(),
                    d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()));
    assertThat(images).containsOnlyKeys("web", "api");
    assertThat(images.get("web")).contains(fixture.webCommit(0));
    assertThat(fixture.registryHas(images.get("web"))).isTrue();
    assertThat(fixture.registryHas(images.get("api"))).isTrue();
    assertThat(fixture.admin().apps().statefulSets().inNamespace(namespace).withName("db").get())
        .isNotNull();
    Ingress ingress =
        fixture.admin().network().v1().ingresses().inNamespace(namespace).list().getItems().get(0);
    assertThat(ingress.getSpec().getRules().get(0).getHost()).isEqualTo(name + ".preview.test");
    assertThat(fixture.admin().resourceQuotas().inNamespace(namespace).list().getItems())
        .isNotEmpty();
    assertThat(
            fixture
                .admin()
                .network()
                .v1()
                .networkPolicies()
                .inNamespace(namespace)
                .list()
                .getItems())
        .isNotEmpty();
    assertThat(status.timeline()).extracting(TimelineEvent::reason).contains("Resolved", "Ready");
  }

  @Test
  void newHeadShaRebuildsAndReappliesOnlyTheChangedComponent() {
    String name = fixture.createEnvironment("e2e-pr-2", 2, fixture.webCommit(0));
    Environment first = fixture.awaitPhase(name, EnvironmentPhase.Ready, READY);
    String namespace = first.getStatus().namespace();
    Deployment apiBefore = deployment(namespace, "api");
    Deployment webBefore = deployment(namespace, "web");

    fixture.updateHeadSha(name, fixture.webCommit(1));

    Environment updated = fixture.awaitReadyAt(name, fixture.webCommit(1), READY);
    assertThat(updated.getStatus().namespace()).isEqualTo(namespace);
    Deployment webAfter = deployment(namespace, "web");
    assertThat(image(webAfter)).contains(fixture.webCommit(1)).isNotEqualTo(image(webBefore));
    assertThat(deployment(namespace, "api").getMetadata().getResourceVersion())
        .as("api did not change, so it was not applied again")
        .isEqualTo(apiBefore.getMetadata().getResourceVersion());
  }

  @Test
  void twoRapidUpdatesEndAtTheNewestHeadSha() {
    String name = fixture.createEnvironment("e2e-pr-3", 3, fixture.webCommit(0));
    fixture.awaitPhase(name, EnvironmentPhase.Ready, READY);

    fixture.updateHeadSha(name, fixture.webCommit(1));
    fixture.updateHeadSha(name, fixture.webCommit(2));

    Environment settled = fixture.awaitReadyAt(name, fixture.webCommit(2), READY);
    assertThat(image(deployment(settled.getStatus().namespace(), "web")))
        .contains(fixture.webCommit(2));
  }

  @Test
  void brokenTemplateFailsTheEnvironmentNamingTheFileAndThePlaceholder() {
    String name = fixture.createEnvironment("e2e-pr-4", 4, fixture.webCommit(0), "e2e-broken");

    Environment failed = fixture.awaitPhase(name, EnvironmentPhase.Failed, READY);

    assertThat(failed.getStatus().message()).contains("nope").contains("app.yaml");
  }

  @Test
  void deletingTheEnvironmentRemovesItsNamespaceBeforeReleasingTheFinalizer() {
    String name = fixture.createEnvironment("e2e-pr-5", 5, fixture.webCommit(0));
    Environment ready = fixture.awaitPhase(name, EnvironmentPhase.Ready, READY);
    String namespace = ready.getStatus().namespace();

    fixture.environments().withName(name).delete();

    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              Environment env = fixture.environments().withName(name).get();
              Namespace ns = fixture.admin().namespaces().withName(namespace).get();
              // Convergent: while the namespace exists, the environment (its finalizer) does too.
              if (ns != null) {
                assertThat(env).isNotNull();
              }
              assertThat(env).isNull();
            });
    assertThat(fixture.admin().namespaces().withName(namespace).get()).isNull();
  }

  private static Deployment deployment(String namespace, String name) {
    return fixture.admin().apps().deployments().inNamespace(namespace).withName(name).get();
  }

  private static String image(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  static List<String> names(List<? extends io.fabric8.kubernetes.api.model.HasMetadata> items) {
    return items.stream().map(i -> i.getMetadata().getName()).toList();
  }
}

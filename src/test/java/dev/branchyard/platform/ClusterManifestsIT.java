package dev.branchyard.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.branchyard.testing.LocalPlatform;
import dev.branchyard.testing.LocalPlatformExtension;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Keeps {@code k8s/} installable: everything its kustomization lists applies to a real API server,
 * the Deployment's pod runs on the hollow node, and the RBAC grants what Branchyard needs and
 * nothing it should not have.
 */
@ExtendWith(LocalPlatformExtension.class)
class ClusterManifestsIT {

  private static final String SERVICE_ACCOUNT = "system:serviceaccount:branchyard:branchyard";

  @BeforeAll
  static void install(LocalPlatform platform, KubernetesClient client) {
    ClusterManifests.apply(client, ClusterManifests.load(client, platform.projectDir()));
  }

  @Test
  void kustomizationInstallsCrdsNamespaceRbacDeploymentAndService(
      LocalPlatform platform, KubernetesClient client) {
    List<String> kinds =
        ClusterManifests.load(client, platform.projectDir()).stream()
            .map(HasMetadata::getKind)
            .toList();

    assertThat(kinds)
        .containsExactly(
            "CustomResourceDefinition",
            "CustomResourceDefinition",
            "Namespace",
            "ServiceAccount",
            "Role",
            "RoleBinding",
            "ClusterRole",
            "ClusterRoleBinding",
            "Deployment",
            "PodDisruptionBudget",
            "Service");
  }

  /**
   * The pod is created, scheduled and started on the hollow node. It never turns Ready there: the
   * hollow kubelet runs the HTTP readiness probe, and no container executes to answer it. So this
   * checks the pod runs and its probes and requests are as declared, not Deployment availability.
   */
  @Test
  void deploymentRunsItsPodOnTheNodeWithProbesAndResourceRequests(KubernetesClient client) {
    await("branchyard pod running on the hollow node")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                client
                    .pods()
                    .inNamespace("branchyard")
                    .withLabel("app.kubernetes.io/name", "branchyard")
                    .list()
                    .getItems()
                    .stream()
                    .anyMatch(
                        p ->
                            "hollow-node-1".equals(p.getSpec().getNodeName())
                                && "Running".equals(p.getStatus().getPhase())));

    var container =
        client
            .apps()
            .deployments()
            .inNamespace("branchyard")
            .withName("branchyard")
            .get()
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
    assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
  }

  @Test
  void twoReplicasWithABudgetThatKeepsOneThroughVoluntaryDisruptions(KubernetesClient client) {
    var deployment =
        client.apps().deployments().inNamespace("branchyard").withName("branchyard").get();
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("BRANCHYARD_LIFECYCLE_LEADER_ELECTION_IDENTITY");
              assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
            });
    var budget =
        client
            .genericKubernetesResources(
                client.supports("policy/v1", "PodDisruptionBudget")
                    ? "policy/v1"
                    : "policy/v1beta1",
                "PodDisruptionBudget")
            .inNamespace("branchyard")
            .withName("branchyard")
            .get();
    assertThat(budget).as("the PodDisruptionBudget is on the server").isNotNull();
    @SuppressWarnings("unchecked")
    java.util.Map<String, Object> spec =
        (java.util.Map<String, Object>) budget.getAdditionalProperties().get("spec");
    assertThat(spec.get("minAvailable")).isEqualTo(1);
    assertThat(spec.get("selector").toString()).contains("app.kubernetes.io/name=branchyard");
  }

  @ParameterizedTest(name = "{0} {2}/{1} in {3}")
  @CsvSource({
    "watch,  environments,       branchyard.dev,     branchyard",
    "patch,  environments/status, branchyard.dev,    branchyard",
    "update, environments/finalizers, branchyard.dev, branchyard",
    "create, imagebuilds,        branchyard.dev,     branchyard",
    "get,    leases,             coordination.k8s.io, branchyard",
    "create, leases,             coordination.k8s.io, branchyard",
    "update, leases,             coordination.k8s.io, branchyard",
    "create, jobs,               batch,              branchyard",
    "delete, jobs,               batch,              branchyard",
    "watch,  jobs,               batch,              branchyard",
    "list,   pods,               '',                 branchyard",
    "get,    pods,               '',                 branchyard",
    "get,    pods/log,           '',                 branchyard",
    "create, namespaces,         '',                 ''",
    "delete, namespaces,         '',                 ''",
    "patch,  deployments,        apps,               env-any",
    "patch,  ingresses,          networking.k8s.io,  env-any",
    "create, secrets,            '',                 env-any",
    "list,   pods,               '',                 env-any",
  })
  void serviceAccountMayDoWhatBranchyardNeeds(
      String verb, String resource, String group, String namespace, KubernetesClient client) {
    assertThat(allowed(client, verb, resource, group, namespace)).isTrue();
  }

  @ParameterizedTest(name = "{0} {2}/{1} in {3}")
  @CsvSource({
    "create, clusterroles,       rbac.authorization.k8s.io, ''",
    "create, rolebindings,       rbac.authorization.k8s.io, env-any",
    "delete, nodes,              '',                 ''",
    "create, pods/exec,          '',                 env-any",
    "delete, customresourcedefinitions, apiextensions.k8s.io, ''",
    "create, environments,       branchyard.dev,     other-namespace",
    "delete, pods,               '',                 kube-system",
    "create, pods,               '',                 branchyard",
    "update, jobs/status,        batch,              branchyard",
    "deletecollection, environments, branchyard.dev, branchyard",
    "delete, leases,             coordination.k8s.io, branchyard",
    "update, leases,             coordination.k8s.io, kube-system",
  })
  void serviceAccountMayNotEscalateOrTouchWhatItDoesNotNeed(
      String verb, String resource, String group, String namespace, KubernetesClient client) {
    assertThat(allowed(client, verb, resource, group, namespace)).isFalse();
  }

  private static boolean allowed(
      KubernetesClient client, String verb, String resource, String group, String namespace) {
    String[] parts = resource.split("/", 2);
    SubjectAccessReview review =
        new SubjectAccessReviewBuilder()
            .withNewSpec()
            .withUser(SERVICE_ACCOUNT)
            .withGroups(
                "system:serviceaccounts",
                "system:serviceaccounts:branchyard",
                "system:authenticated")
            .withNewResourceAttributes()
            .withVerb(verb)
            .withGroup(group)
            .withResource(parts[0])
            .withSubresource(parts.length > 1 ? parts[1] : null)
            .withNamespace(namespace.isEmpty() ? null : namespace)
            .endResourceAttributes()
            .endSpec()
            .build();
    return client
        .authorization()
        .v1()
        .subjectAccessReview()
        .create(review)
        .getStatus()
        .getAllowed();
  }
}

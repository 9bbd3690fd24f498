package dev.branchyard.deploy;

import static dev.branchyard.deploy.TestManifests.configMap;
import static dev.branchyard.deploy.TestManifests.deployment;
import static dev.branchyard.deploy.TestManifests.fromYaml;
import static dev.branchyard.deploy.TestManifests.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.branchyard.deploy.ManifestApplier.ApplyException;
import dev.branchyard.testing.LocalPlatformExtension;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link ServerSideApplier} against the real API server: server-side apply as Branchyard, in place
 * and idempotent, refusals worded by the server, and pruning that deletes only what Branchyard
 * applied for the environment and no longer renders. Each test uses its own environment name in one
 * namespace for the class.
 */
@ExtendWith(LocalPlatformExtension.class)
class ServerSideApplierIT {

  private static final Duration AWAIT = Duration.ofSeconds(120);

  private static KubernetesClient admin;
  private static String namespace;
  private static ServerSideApplier applier;
  private static KubernetesReadiness readiness;

  @BeforeAll
  static void createNamespace(KubernetesClient client) {
    admin = client;
    namespace = "apply-it-" + UUID.randomUUID().toString().substring(0, 8);
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
  void appliesAsBranchyardWithTheEnvironmentAndComponentLabels() throws ApplyException {
    applier.apply(
        namespace,
        "env-labels",
        List.of(
            configMap("api", "labels-config", Map.of("mode", "test")),
            service("api", "labels-web"),
            deployment("api", "env-labels", "labels-web", "example.invalid/web:1")));

    Deployment deployment =
        admin.apps().deployments().inNamespace(namespace).withName("labels-web").get();
    var service = admin.services().inNamespace(namespace).withName("labels-web").get();
    ConfigMap config = admin.configMaps().inNamespace(namespace).withName("labels-config").get();
    for (HasMetadata object : List.of(deployment, service, config)) {
      assertThat(object.getMetadata().getLabels())
          .containsEntry(EnvironmentLabels.MANAGED_BY, "branchyard")
          .containsEntry(EnvironmentLabels.ENVIRONMENT, "env-labels")
          .containsEntry(EnvironmentLabels.COMPONENT, "api");
      assertThat(object.getMetadata().getManagedFields())
          .anySatisfy(
              f -> {
                assertThat(f.getManager()).isEqualTo("branchyard");
                assertThat(f.getOperation()).isEqualTo("Apply");
              });
    }
    assertThat(deployment.getMetadata().getLabels()).containsEntry("app", "labels-web");
    assertThat(config.getData()).containsEntry("mode", "test");
  }

  @Test
  void reapplyingUnchangedManifestsChangesNothing() throws ApplyException {
    List<Manifest> manifests =
        List.of(
            configMap("api", "same-config", Map.of("mode", "test")),
            service("api", "same-web"),
            deployment("api", "env-same", "same-web", "example.invalid/web:1"));
    applier.apply(namespace, "env-same", manifests);
    // The Deployment's status keeps changing until it is available; wait for that to settle.
    await("deployment same-web ready")
        .atMost(AWAIT)
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> readiness.check(namespace, manifests).ready());
    Map<String, String> before = settledResourceVersions(manifests);

    applier.apply(namespace, "env-same", manifests);

    assertThat(resourceVersions(manifests)).isEqualTo(before);
  }

  @Test
  void changedManifestUpdatesTheSameObjectsInPlace() throws ApplyException {
    applier.apply(
        namespace,
        "env-change",
        List.of(
            configMap("api", "change-config", Map.of("mode", "one", "legacy", "x")),
            deployment("api", "env-change", "change-web", "example.invalid/web:1")));
    String configUid = uid(configMapNamed("change-config"));
    Deployment first =
        admin.apps().deployments().inNamespace(namespace).withName("change-web").get();

    applier.apply(
        namespace,
        "env-change",
        List.of(
            configMap("api", "change-config", Map.of("mode", "two")),
            deployment("api", "env-change", "change-web", "example.invalid/web:2")));

    ConfigMap config = configMapNamed("change-config");
    Deployment second =
        admin.apps().deployments().inNamespace(namespace).withName("change-web").get();
    assertThat(uid(config)).isEqualTo(configUid);
    // Server-side apply removes the fields Branchyard set before and no longer renders.
    assertThat(config.getData()).containsExactly(Map.entry("mode", "two"));
    assertThat(uid(second)).isEqualTo(uid(first));
    assertThat(second.getMetadata().getGeneration())
        .isEqualTo(first.getMetadata().getGeneration() + 1);
    assertThat(second.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("example.invalid/web:2");
  }

  @Test
  void prunesWhatIsNoLongerRenderedAndNothingElse() throws ApplyException {
    String env = "env-prune";
    Manifest web = deployment("web", env, "prune-web", "example.invalid/web:1");
    Manifest kept = configMap("web", "prune-kept", Map.of("a", "1"));
    Manifest dropped = configMap("web", "prune-dropped", Map.of("a", "1"));
    Manifest service = service("web", "prune-web");
    applier.apply(namespace, env, List.of(web, kept, dropped, service));
    applier.apply(namespace, "env-other", List.of(configMap("web", "prune-other-env", Map.of())));
    // Labelled like Branchyard's, but written by someone else: not Branchyard's to delete.
    admin
        .configMaps()
        .inNamespace(namespace)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("prune-by-hand")
                .addToLabels(EnvironmentLabels.MANAGED_BY, "branchyard")
                .addToLabels(EnvironmentLabels.ENVIRONMENT, env)
                .endMetadata()
                .build())
        .create();
    // The ReplicaSet and pod copy the template's environment labels, and carry owner references.
    await("prune-web's pod exists")
        .atMost(AWAIT)
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> !podsOf("prune-web").isEmpty());
    List<String> replicaSetUids = replicaSetsOf("prune-web").stream().map(this::uid).toList();
    List<String> podUids = podsOf("prune-web").stream().map(this::uid).toList();
    assertThat(replicaSetsOf("prune-web").get(0).getMetadata().getLabels())
        .containsEntry(EnvironmentLabels.ENVIRONMENT, env);

    List<Manifest.ObjectKey> deleted =
        applier.prune(namespace, env, Set.of(web.key(), kept.key(), service.key()));

    assertThat(deleted).containsExactly(dropped.key());
    assertThat(configMapNamed("prune-dropped")).isNull();
    assertThat(configMapNamed("prune-kept")).isNotNull();
    assertThat(configMapNamed("prune-other-env")).isNotNull();
    assertThat(configMapNamed("prune-by-hand")).isNotNull();
    assertThat(admin.apps().deployments().inNamespace(namespace).withName("prune-web").get())
        .isNotNull();
    assertThat(admin.services().inNamespace(namespace).withName("prune-web").get()).isNotNull();
    assertThat(replicaSetsOf("prune-web").stream().map(this::uid))
        .containsExactlyElementsOf(replicaSetUids);
    assertThat(podsOf("prune-web").stream().map(this::uid)).containsAll(podUids);
    assertThat(admin.endpoints().inNamespace(namespace).withName("prune-web").get()).isNotNull();

    assertThat(applier.prune(namespace, env, Set.of(web.key(), kept.key(), service.key())))
        .as("pruning again")
        .isEmpty();
  }

  @Test
  void pruningEverythingDeletesTheWorkloadsToo() throws ApplyException {
    String env = "env-prune-all";
    Manifest web = deployment("web", env, "gone-web", "example.invalid/web:1");
    Manifest service = service("web", "gone-web");
    applier.apply(namespace, env, List.of(web, service));

    List<Manifest.ObjectKey> deleted = applier.prune(namespace, env, Set.of());

    assertThat(deleted).containsExactlyInAnyOrder(web.key(), service.key());
    await("gone-web deleted")
        .atMost(AWAIT)
        .until(
            () ->
                admin.apps().deployments().inNamespace(namespace).withName("gone-web").get()
                    == null);
  }

  @Test
  void refusedObjectIsNamedWithItsOriginAndTheServersReasonAndStopsTheApply() {
    Manifest before = configMap("api", "refused-before", Map.of());
    Manifest bad =
        fromYaml(
            "api",
            "templates/bad-deployment.yaml",
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: refused-web
            spec:
              replicas: -1
              selector:
                matchLabels:
                  app: refused-web
              template:
                metadata:
                  labels:
                    app: refused-web
                spec:
                  containers:
                    - name: app
                      image: example.invalid/web:1
            """);
    Manifest after = configMap("api", "refused-after", Map.of());

    assertThatThrownBy(() -> applier.apply(namespace, "env-refused", List.of(before, bad, after)))
        .isInstanceOf(ApplyException.class)
        .hasMessageContaining("Deployment/refused-web (apps/v1) from templates/bad-deployment.yaml")
        .hasMessageContaining("422 Invalid")
        .hasMessageContaining("spec.replicas")
        .hasMessageContaining("must be greater than or equal to 0")
        .satisfies(e -> assertThat(((ApplyException) e).retryable()).isFalse());
    assertThat(configMapNamed("refused-before")).isNotNull();
    assertThat(configMapNamed("refused-after")).isNull();
  }

  @Test
  void kindTheClusterDoesNotServeIsRefusedBeforeAsking() {
    Manifest widget =
        fromYaml(
            "api",
            "charts/widgets/templates/widget.yaml",
            """
            apiVersion: widgets.example.dev/v1
            kind: Widget
            metadata:
              name: w1
            """);
    Manifest misspelt =
        fromYaml(
            "api",
            "templates/typo.yaml",
            """
            apiVersion: apps/v1
            kind: Deploymnet
            metadata:
              name: typo
            """);

    assertThatThrownBy(() -> applier.apply(namespace, "env-unknown", List.of(widget)))
        .isInstanceOf(ApplyException.class)
        .hasMessageContaining("Widget/w1 (widgets.example.dev/v1) from charts/widgets/templates")
        .hasMessageContaining("serves no kind Widget in widgets.example.dev/v1")
        .hasMessageContaining("CustomResourceDefinition");
    assertThatThrownBy(() -> applier.apply(namespace, "env-unknown", List.of(misspelt)))
        .isInstanceOf(ApplyException.class)
        .hasMessageContaining("serves no kind Deploymnet in apps/v1");
  }

  @Test
  void customKindIsAppliedAndPrunedOnceItsCrdIsInstalled() throws ApplyException {
    String group = "gadgets" + UUID.randomUUID().toString().substring(0, 8) + ".branchyard.dev";
    Manifest first = gadget(group, "g1");
    Manifest second = gadget(group, "g2");
    assertThatThrownBy(() -> applier.apply(namespace, "env-crd", List.of(first)))
        .isInstanceOf(ApplyException.class)
        .hasMessageContaining("serves no kind Gadget");
    CustomResourceDefinition crd = gadgetCrd(group);
    admin.resource(crd).create();
    try {
      admin
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .withName(crd.getMetadata().getName())
          .waitUntilCondition(
              c ->
                  c.getStatus() != null
                      && c.getStatus().getConditions() != null
                      && c.getStatus().getConditions().stream()
                          .anyMatch(
                              cond ->
                                  "Established".equals(cond.getType())
                                      && "True".equals(cond.getStatus())),
              60,
              TimeUnit.SECONDS);

      // The applier asked discovery before the CRD existed; it asks again instead of trusting it.
      applier.apply(namespace, "env-crd", List.of(first, second));

      var gadgets =
          admin.genericKubernetesResources(group + "/v1", "Gadget").inNamespace(namespace);
      assertThat(gadgets.withName("g1").get().getMetadata().getLabels())
          .containsEntry(EnvironmentLabels.ENVIRONMENT, "env-crd");
      assertThat(readiness.check(namespace, List.of(first, second)).ready()).isTrue();
      // A custom kind is pruned while the revision still renders some object of it.
      assertThat(applier.prune(namespace, "env-crd", Set.of(first.key())))
          .containsExactly(second.key());
      assertThat(gadgets.withName("g2").get()).isNull();
      assertThat(gadgets.withName("g1").get()).isNotNull();
    } finally {
      admin.resource(crd).delete();
    }
  }

  private static Manifest gadget(String group, String name) {
    return fromYaml(
        "api",
        "charts/gadgets/templates/" + name + ".yaml",
        """
        apiVersion: %s/v1
        kind: Gadget
        metadata:
          name: %s
        spec:
          size: 3
        """
            .formatted(group, name));
  }

  private static CustomResourceDefinition gadgetCrd(String group) {
    return new CustomResourceDefinitionBuilder()
        .withNewMetadata()
        .withName("gadgets." + group)
        .endMetadata()
        .withNewSpec()
        .withGroup(group)
        .withScope("Namespaced")
        .withNewNames()
        .withKind("Gadget")
        .withPlural("gadgets")
        .withSingular("gadget")
        .endNames()
        .addNewVersion()
        .withName("v1")
        .withServed(true)
        .withStorage(true)
        .withNewSchema()
        .withNewOpenAPIV3Schema()
        .withType("object")
        .withXKubernetesPreserveUnknownFields(true)
        .endOpenAPIV3Schema()
        .endSchema()
        .endVersion()
        .endSpec()
        .build();
  }

  @Test
  void objectsOutsideTheEnvironmentsNamespaceAreRefused() {
    Manifest elsewhere =
        fromYaml(
            "api",
            "templates/elsewhere.yaml",
            """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: elsewhere
              namespace: kube-system
            """);
    Manifest clusterWide =
        fromYaml(
            "api",
            "templates/role.yaml",
            """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: branchyard-it-should-not-exist
            rules: []
            """);

    assertThatThrownBy(() -> applier.apply(namespace, "env-outside", List.of(elsewhere)))
        .isInstanceOf(ApplyException.class)
        .hasMessageContaining("names namespace kube-system");
    assertThatThrownBy(() -> applier.apply(namespace, "env-outside", List.of(clusterWide)))
        .isInstanceOf(ApplyException.class)
        .hasMessageContaining("ClusterRole is cluster-scoped");
    assertThat(admin.configMaps().inNamespace("kube-system").withName("elsewhere").get()).isNull();
    assertThat(admin.rbac().clusterRoles().withName("branchyard-it-should-not-exist").get())
        .isNull();
  }

  /** Resource versions once two looks a second apart agree (controllers done writing status). */
  private Map<String, String> settledResourceVersions(List<Manifest> manifests) {
    AtomicReference<Map<String, String>> last = new AtomicReference<>(Map.of());
    await("resource versions settle")
        .atMost(AWAIT)
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              Map<String, String> now = resourceVersions(manifests);
              return now.equals(last.getAndSet(now));
            });
    return last.get();
  }

  private Map<String, String> resourceVersions(List<Manifest> manifests) {
    Map<String, String> versions = new LinkedHashMap<>();
    for (Manifest m : manifests) {
      HasMetadata live =
          switch (m.kind()) {
            case "ConfigMap" -> configMapNamed(m.name());
            case "Service" -> admin.services().inNamespace(namespace).withName(m.name()).get();
            case "Deployment" ->
                admin.apps().deployments().inNamespace(namespace).withName(m.name()).get();
            default -> throw new IllegalArgumentException(m.kind());
          };
      versions.put(m.key().toString(), live.getMetadata().getResourceVersion());
    }
    return versions;
  }

  private ConfigMap configMapNamed(String name) {
    return admin.configMaps().inNamespace(namespace).withName(name).get();
  }

  private List<ReplicaSet> replicaSetsOf(String app) {
    return admin
        .apps()
        .replicaSets()
        .inNamespace(namespace)
        .withLabel("app", app)
        .list()
        .getItems();
  }

  private List<Pod> podsOf(String app) {
    return admin.pods().inNamespace(namespace).withLabel("app", app).list().getItems();
  }

  private String uid(HasMetadata object) {
    return object.getMetadata().getUid();
  }
}

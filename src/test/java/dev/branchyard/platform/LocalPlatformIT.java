package dev.branchyard.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.branchyard.testing.LocalPlatformExtension;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Proves the test wiring on the real control plane: server-side apply, a Deployment that becomes
 * Available on the hollow node, CRDs and custom resources, and namespace deletion to completion.
 */
@ExtendWith(LocalPlatformExtension.class)
class LocalPlatformIT {

  private static final String FIELD_MANAGER = "branchyard-it";

  @Test
  void deploymentAppliedServerSideBecomesAvailableOnTheHollowNode(KubernetesClient client) {
    String ns = "wiring-" + shortId();
    client
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .fieldManager(FIELD_MANAGER)
        .forceConflicts()
        .serverSideApply();

    client
        .resource(deployment(ns, "web"))
        .inNamespace(ns)
        .fieldManager(FIELD_MANAGER)
        .forceConflicts()
        .serverSideApply();

    await("deployment web available in " + ns)
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> {
              Deployment d = client.apps().deployments().inNamespace(ns).withName("web").get();
              return d.getStatus() != null
                  && Integer.valueOf(1).equals(d.getStatus().getAvailableReplicas());
            });
    Deployment applied = client.apps().deployments().inNamespace(ns).withName("web").get();
    assertThat(applied.getMetadata().getManagedFields())
        .anySatisfy(f -> assertThat(f.getManager()).isEqualTo(FIELD_MANAGER));
    assertThat(client.pods().inNamespace(ns).list().getItems())
        .singleElement()
        .satisfies(p -> assertThat(p.getSpec().getNodeName()).isEqualTo("hollow-node-1"));

    client.namespaces().withName(ns).delete();
    await("namespace " + ns + " deleted")
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofSeconds(2))
        .until(() -> client.namespaces().withName(ns).get() == null);
  }

  @Test
  void customResourceIsStoredOnceItsCrdIsEstablished(KubernetesClient client) {
    String group = "wiring" + shortId() + ".branchyard.dev";
    CustomResourceDefinition crd = widgetCrd(group);
    client.resource(crd).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    client
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
                                cond.getType().equals("Established")
                                    && cond.getStatus().equals("True")),
            60,
            java.util.concurrent.TimeUnit.SECONDS);

    var context =
        new ResourceDefinitionContext.Builder()
            .withGroup(group)
            .withVersion("v1")
            .withPlural("widgets")
            .withKind("Widget")
            .withNamespaced(true)
            .build();
    GenericKubernetesResource widget =
        new GenericKubernetesResourceBuilder()
            .withApiVersion(group + "/v1")
            .withKind("Widget")
            .withNewMetadata()
            .withName("w1")
            .withNamespace("default")
            .endMetadata()
            .withAdditionalProperties(Map.of("spec", Map.of("size", 3)))
            .build();
    client.genericKubernetesResources(context).inNamespace("default").resource(widget).create();

    GenericKubernetesResource stored =
        client.genericKubernetesResources(context).inNamespace("default").withName("w1").get();
    assertThat(stored.<Integer>get("spec", "size")).isEqualTo(3);

    client.resource(crd).delete();
  }

  private static Deployment deployment(String ns, String name) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(ns)
        .endMetadata()
        .withNewSpec()
        .withReplicas(1)
        .withNewSelector()
        .addToMatchLabels("app", name)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("app", name)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName(name)
        // Never pulled: the hollow node reports containers running without executing them.
        .withImage("example.invalid/" + name + ":1")
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static CustomResourceDefinition widgetCrd(String group) {
    return new CustomResourceDefinitionBuilder()
        .withNewMetadata()
        .withName("widgets." + group)
        .endMetadata()
        .withNewSpec()
        .withGroup(group)
        .withScope("Namespaced")
        .withNewNames()
        .withKind("Widget")
        .withPlural("widgets")
        .withSingular("widget")
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

  private static String shortId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }
}

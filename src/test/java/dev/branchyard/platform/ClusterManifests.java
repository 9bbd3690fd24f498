package dev.branchyard.platform;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The manifests of {@code k8s/}, in the order its kustomization lists them. */
public final class ClusterManifests {

  static final String FIELD_MANAGER = "branchyard-it";

  private ClusterManifests() {}

  /** Every object named by {@code k8s/kustomization.yaml}, parsed with the client's model. */
  public static List<HasMetadata> load(KubernetesClient client, Path projectDir) {
    Path k8s = projectDir.resolve("k8s");
    List<HasMetadata> objects = new ArrayList<>();
    for (String file : kustomizationResources(k8s)) {
      try (InputStream in = Files.newInputStream(k8s.resolve(file))) {
        objects.addAll(client.load(in).items());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read k8s/" + file, e);
      }
    }
    return objects;
  }

  /**
   * Server-side applies {@code objects}. A {@code policy/v1} PodDisruptionBudget goes in as {@code
   * policy/v1beta1} (same fields for what {@code k8s/} uses) on API servers older than 1.21, such
   * as the local platform's 1.20, which do not serve {@code policy/v1} yet.
   */
  public static void apply(KubernetesClient client, List<HasMetadata> objects) {
    for (HasMetadata object : objects) {
      HasMetadata applied = object;
      if ("PodDisruptionBudget".equals(object.getKind())
          && "policy/v1".equals(object.getApiVersion())
          && !client.supports("policy/v1", "PodDisruptionBudget")) {
        GenericKubernetesResource older =
            Serialization.jsonMapper().convertValue(object, GenericKubernetesResource.class);
        older.setApiVersion("policy/v1beta1");
        applied = older;
      }
      client.resource(applied).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    }
  }

  @SuppressWarnings("unchecked")
  /** Applies the CRDs of {@code k8s/} and waits until the API server serves them. */
  public static void installCrds(KubernetesClient client, Path projectDir) {
    List<HasMetadata> crds =
        load(client, projectDir).stream()
            .filter(CustomResourceDefinition.class::isInstance)
            .toList();
    apply(client, crds);
    for (HasMetadata crd : crds) {
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .withName(crd.getMetadata().getName())
          .waitUntilCondition(ClusterManifests::established, 60, TimeUnit.SECONDS);
    }
  }

  private static boolean established(CustomResourceDefinition crd) {
    return crd != null
        && crd.getStatus() != null
        && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static List<String> kustomizationResources(Path k8s) {
    try {
      Map<String, Object> kustomization =
          Serialization.unmarshal(Files.readString(k8s.resolve("kustomization.yaml")), Map.class);
      return (List<String>) kustomization.get("resources");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read k8s/kustomization.yaml", e);
    }
  }
}

package dev.branchyard.platform;

import io.fabric8.kubernetes.api.model.HasMetadata;
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

/** The manifests of {@code k8s/}, in the order its kustomization lists them. */
final class ClusterManifests {

  static final String FIELD_MANAGER = "branchyard-it";

  private ClusterManifests() {}

  /** Every object named by {@code k8s/kustomization.yaml}, parsed with the client's model. */
  static List<HasMetadata> load(KubernetesClient client, Path projectDir) {
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

  static void apply(KubernetesClient client, List<HasMetadata> objects) {
    for (HasMetadata object : objects) {
      client.resource(object).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    }
  }

  @SuppressWarnings("unchecked")
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

package dev.branchyard.lifecycle;

import dev.branchyard.deploy.EnvironmentIdentity;
import dev.branchyard.deploy.EnvironmentLabels;
import dev.branchyard.deploy.IngressTarget;
import dev.branchyard.deploy.Manifest;
import dev.branchyard.deploy.ManifestApplier;
import dev.branchyard.deploy.ManifestApplier.ApplyException;
import dev.branchyard.deploy.NamespaceLayout;
import dev.branchyard.spec.StackSpec;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Environment namespaces on the cluster: the namespace server-side applied with its labels and the
 * environment's uid, then the objects {@link NamespaceLayout} describes (quota, limit range,
 * network policies, ingress) and copies of the spec's secrets from Branchyard's namespace (none for
 * pull requests from forks).
 */
@ApplicationScoped
public class KubernetesEnvironmentNamespaces implements EnvironmentNamespaces {

  private final KubernetesClient client;
  private final NamespaceLayout layout;
  private final ManifestApplier applier;

  public KubernetesEnvironmentNamespaces(
      KubernetesClient client, NamespaceLayout layout, ManifestApplier applier) {
    this.client = client;
    this.layout = layout;
    this.applier = applier;
  }

  @Override
  public String nameFor(Environment environment, StackSpec spec) {
    return layout.namespaceName(spec.name(), environment.getMetadata().getName());
  }

  @Override
  public Ensured ensure(
      Environment environment,
      StackSpec spec,
      String namespace,
      Optional<IngressTarget> ingressTarget)
      throws ApplyException {
    String home = environment.getMetadata().getNamespace();
    EnvironmentIdentity id =
        new EnvironmentIdentity(
            environment.getMetadata().getName(),
            environment.getMetadata().getUid(),
            home,
            spec.name(),
            namespace);
    Namespace existing = client.namespaces().withName(namespace).get();
    if (existing != null && existing.getMetadata().getDeletionTimestamp() != null) {
      throw new ApplyException(
          "namespace "
              + namespace
              + (ownedBy(existing, id) && id.uid() != null
                  ? " is being deleted, though its environment still exists (deleted outside"
                      + " Branchyard?)"
                  : " is still being deleted (from an earlier environment of the same name)")
              + "; it will be created again once it is gone",
          null);
    }
    if (existing != null && !ownedBy(existing, id)) {
      throw new ApplyException(
          "namespace "
              + namespace
              + " exists and does not belong to environment "
              + home
              + "/"
              + id.environment()
              + " (its "
              + EnvironmentLabels.ENVIRONMENT_UID
              + " annotation differs); Branchyard will not take it over",
          null);
    }
    try {
      GenericKubernetesResource object =
          Serialization.jsonMapper()
              .convertValue(layout.namespace(id).object(), GenericKubernetesResource.class);
      client
          .resource(object)
          .fieldManager(EnvironmentLabels.FIELD_MANAGER)
          .forceConflicts()
          .serverSideApply();
    } catch (KubernetesClientException e) {
      throw new ApplyException("namespace " + namespace + ": " + e.getMessage(), e);
    }
    List<Manifest> objects = new ArrayList<>(layout.environmentObjects(id, spec, ingressTarget));
    boolean fork = Boolean.TRUE.equals(environment.getSpec().trigger().fork());
    if (!fork) {
      for (String name : spec.secrets()) {
        Secret source = client.secrets().inNamespace(home).withName(name).get();
        if (source == null) {
          throw new ApplyException(
              "secret "
                  + name
                  + " (listed under the spec's secrets) does not exist in namespace "
                  + home
                  + "; create it there or remove it from spec "
                  + spec.name(),
              null);
        }
        objects.add(
            layout.copiedSecret(
                id,
                name,
                source.getType() == null ? "Opaque" : source.getType(),
                source.getData() == null ? Map.of() : source.getData()));
      }
    }
    applier.apply(namespace, id.environment(), objects);
    return new Ensured(objects, existing == null);
  }

  private static boolean ownedBy(Namespace namespace, EnvironmentIdentity id) {
    Map<String, String> annotations = namespace.getMetadata().getAnnotations();
    String uid = annotations == null ? null : annotations.get(EnvironmentLabels.ENVIRONMENT_UID);
    return uid == null || uid.equals(id.uid());
  }

  @Override
  public Teardown delete(String namespace) {
    Namespace existing = client.namespaces().withName(namespace).get();
    if (existing == null) {
      return new Teardown.Gone();
    }
    if (existing.getMetadata().getDeletionTimestamp() == null) {
      client.namespaces().withName(namespace).delete();
      return new Teardown.Terminating("");
    }
    List<String> blockers = new ArrayList<>();
    if (existing.getSpec() != null && existing.getSpec().getFinalizers() != null) {
      existing.getSpec().getFinalizers().stream()
          .filter(f -> !f.equals("kubernetes"))
          .forEach(f -> blockers.add("finalizer " + f));
    }
    if (existing.getStatus() != null && existing.getStatus().getConditions() != null) {
      existing.getStatus().getConditions().stream()
          .filter(c -> "True".equals(c.getStatus()))
          .map(NamespaceCondition::getMessage)
          .forEach(blockers::add);
    }
    return new Teardown.Terminating(
        blockers.isEmpty()
            ? ""
            : "waiting for: " + blockers.stream().collect(Collectors.joining("; ")));
  }
}

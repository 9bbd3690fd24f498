package dev.branchyard.deploy;

import dev.branchyard.deploy.ApiDiscovery.GroupKind;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Applies rendered manifests with server-side apply (field manager {@value
 * EnvironmentLabels#FIELD_MANAGER}, conflicts forced: Branchyard owns what it renders) and prunes
 * what a newer revision no longer renders.
 *
 * <p>Pruning looks at the kinds in {@link #PRUNED_KINDS} plus the kinds of the objects kept (so a
 * custom resource kind is pruned while the revision still renders some object of it). A custom kind
 * that a revision stops rendering altogether stays until the namespace goes. An object is only
 * deleted when it is Branchyard's: labelled {@link EnvironmentLabels#MANAGED_BY} and with the
 * environment, written by Branchyard's field manager, and owned by nothing (ReplicaSets and pods
 * copy their template's labels, Endpoints copy their Service's; those are never candidates).
 */
@ApplicationScoped
public class ServerSideApplier implements ManifestApplier {

  /**
   * The namespaced kinds Branchyard renders, whatever version the cluster serves them in (e.g.
   * CronJob is batch/v1beta1 before Kubernetes 1.21).
   */
  static final List<GroupKind> PRUNED_KINDS =
      List.of(
          new GroupKind("", "ConfigMap"),
          new GroupKind("", "Secret"),
          new GroupKind("", "Service"),
          new GroupKind("", "ServiceAccount"),
          new GroupKind("", "PersistentVolumeClaim"),
          new GroupKind("", "Pod"),
          new GroupKind("", "ResourceQuota"),
          new GroupKind("", "LimitRange"),
          new GroupKind("apps", "Deployment"),
          new GroupKind("apps", "StatefulSet"),
          new GroupKind("apps", "DaemonSet"),
          new GroupKind("batch", "Job"),
          new GroupKind("batch", "CronJob"),
          new GroupKind("networking.k8s.io", "Ingress"),
          new GroupKind("networking.k8s.io", "NetworkPolicy"),
          new GroupKind("rbac.authorization.k8s.io", "Role"),
          new GroupKind("rbac.authorization.k8s.io", "RoleBinding"),
          new GroupKind("policy", "PodDisruptionBudget"),
          new GroupKind("autoscaling", "HorizontalPodAutoscaler"));

  private static final Logger LOG = Logger.getLogger(ServerSideApplier.class);
  private static final int FORBIDDEN = 403;
  private static final int NOT_FOUND = 404;
  private static final int TOO_MANY_REQUESTS = 429;

  private final KubernetesClient client;
  private final ApiDiscovery discovery;

  @Inject
  public ServerSideApplier(KubernetesClient client, ApiDiscovery discovery) {
    this.client = client;
    this.discovery = discovery;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Stops at the first object refused: later objects may depend on it. A namespace object is
   * applied only when it is {@code namespace} itself; other cluster-scoped kinds are refused.
   */
  @Override
  public void apply(String namespace, String environment, List<Manifest> manifests)
      throws ApplyException {
    for (Manifest manifest : manifests) {
      applyOne(namespace, environment, manifest);
    }
  }

  private void applyOne(String namespace, String environment, Manifest manifest)
      throws ApplyException {
    ResourceDefinitionContext context = served(manifest);
    GenericKubernetesResource object = toResource(namespace, environment, manifest, context);
    try {
      var resources = client.genericKubernetesResources(context);
      var target =
          context.isNamespaceScoped()
              ? resources.inNamespace(namespace).resource(object)
              : resources.resource(object);
      target.fieldManager(EnvironmentLabels.FIELD_MANAGER).forceConflicts().serverSideApply();
      LOG.debugf("applied %s from %s to %s", manifest.key(), manifest.origin(), namespace);
    } catch (KubernetesClientException e) {
      if (e.getCode() == NOT_FOUND) {
        discovery.forget(manifest.apiVersion());
      }
      throw new ApplyException(
          describe(manifest) + ": the API server refused it: " + serverMessage(e), e, retryable(e));
    }
  }

  private ResourceDefinitionContext served(Manifest manifest) throws ApplyException {
    try {
      // Ask again before giving up: the CRD may have been installed since the last discovery.
      return discovery
          .resolve(manifest.apiVersion(), manifest.kind(), false)
          .or(() -> discovery.resolve(manifest.apiVersion(), manifest.kind(), true))
          .orElseThrow(
              () ->
                  new ApplyException(
                      describe(manifest)
                          + ": the cluster serves no kind "
                          + manifest.kind()
                          + " in "
                          + manifest.apiVersion()
                          + " (a misspelt kind or apiVersion, or a CustomResourceDefinition that"
                          + " is not installed)",
                      null));
    } catch (KubernetesClientException e) {
      throw new ApplyException(
          describe(manifest) + ": API discovery failed: " + serverMessage(e), e, retryable(e));
    }
  }

  private GenericKubernetesResource toResource(
      String namespace, String environment, Manifest manifest, ResourceDefinitionContext context)
      throws ApplyException {
    GenericKubernetesResource object =
        client
            .getKubernetesSerialization()
            .convertValue(manifest.object(), GenericKubernetesResource.class);
    ObjectMeta metadata = object.getMetadata();
    if (context.isNamespaceScoped()) {
      if (metadata.getNamespace() != null && !metadata.getNamespace().equals(namespace)) {
        throw new ApplyException(
            describe(manifest)
                + ": it names namespace "
                + metadata.getNamespace()
                + " but the environment's namespace is "
                + namespace
                + " (leave metadata.namespace out, or set it to the environment's)",
            null);
      }
      metadata.setNamespace(namespace);
    } else if (!("Namespace".equals(manifest.kind()) && namespace.equals(manifest.name()))) {
      throw new ApplyException(
          describe(manifest)
              + ": "
              + manifest.kind()
              + " is cluster-scoped, and an environment holds only objects in its namespace "
              + namespace,
          null);
    }
    Map<String, String> labels = new LinkedHashMap<>();
    if (metadata.getLabels() != null) {
      labels.putAll(metadata.getLabels());
    }
    labels.put(EnvironmentLabels.MANAGED_BY, EnvironmentLabels.MANAGED_BY_VALUE);
    labels.put(EnvironmentLabels.ENVIRONMENT, environment);
    labels.put(EnvironmentLabels.COMPONENT, manifest.component());
    metadata.setLabels(labels);
    return object;
  }

  @Override
  public List<Manifest.ObjectKey> prune(
      String namespace, String environment, Set<Manifest.ObjectKey> keep) throws ApplyException {
    Set<GroupKindName> kept =
        keep.stream()
            .map(k -> new GroupKindName(GroupKind.of(k.apiVersion(), k.kind()), k.name()))
            .collect(Collectors.toSet());
    Set<GroupKind> kinds = new LinkedHashSet<>(PRUNED_KINDS);
    kept.forEach(k -> kinds.add(k.groupKind()));

    // One object may be served under two groups (Ingress in extensions and networking.k8s.io):
    // it is kept when any of its names is kept, and deleted at most once.
    Set<String> keptUids = new HashSet<>();
    Map<String, Candidate> candidates = new LinkedHashMap<>();
    for (GroupKind kind : kinds) {
      for (Candidate found : listOurs(namespace, environment, kind)) {
        String uid = found.object().getMetadata().getUid();
        if (kept.contains(new GroupKindName(kind, found.object().getMetadata().getName()))) {
          keptUids.add(uid);
        } else {
          candidates.putIfAbsent(uid, found);
        }
      }
    }
    List<Manifest.ObjectKey> deleted = new ArrayList<>();
    for (Map.Entry<String, Candidate> entry : candidates.entrySet()) {
      if (!keptUids.contains(entry.getKey()) && delete(namespace, entry.getValue())) {
        deleted.add(entry.getValue().key());
      }
    }
    return List.copyOf(deleted);
  }

  private List<Candidate> listOurs(String namespace, String environment, GroupKind kind)
      throws ApplyException {
    try {
      var context = discovery.resolve(kind);
      if (context.isEmpty() || !context.get().isNamespaceScoped()) {
        return List.of();
      }
      return client
          .genericKubernetesResources(context.get())
          .inNamespace(namespace)
          .withLabel(EnvironmentLabels.MANAGED_BY, EnvironmentLabels.MANAGED_BY_VALUE)
          .withLabel(EnvironmentLabels.ENVIRONMENT, environment)
          .list()
          .getItems()
          .stream()
          .filter(ServerSideApplier::isOurs)
          .map(item -> new Candidate(kind, context.get(), item))
          .toList();
    } catch (KubernetesClientException e) {
      if (e.getCode() == FORBIDDEN) {
        // Branchyard's role lets it list every kind it may apply; one it may not list holds
        // nothing Branchyard created.
        LOG.debugf("not pruning %s in %s: not allowed to list it", kind, namespace);
        return List.of();
      }
      throw new ApplyException(
          "listing " + kind + " in " + namespace + " to prune failed: " + serverMessage(e),
          e,
          retryable(e));
    }
  }

  private static boolean isOurs(GenericKubernetesResource item) {
    ObjectMeta metadata = item.getMetadata();
    return (metadata.getOwnerReferences() == null || metadata.getOwnerReferences().isEmpty())
        && metadata.getDeletionTimestamp() == null
        && metadata.getManagedFields() != null
        && metadata.getManagedFields().stream()
            .anyMatch(f -> EnvironmentLabels.FIELD_MANAGER.equals(f.getManager()));
  }

  private boolean delete(String namespace, Candidate candidate) throws ApplyException {
    try {
      boolean deleted =
          !client
              .genericKubernetesResources(candidate.context())
              .inNamespace(namespace)
              .withName(candidate.object().getMetadata().getName())
              .withPropagationPolicy(DeletionPropagation.BACKGROUND)
              .delete()
              .isEmpty();
      if (deleted) {
        LOG.infof("pruned %s from %s: no longer rendered", candidate.key(), namespace);
      }
      return deleted;
    } catch (KubernetesClientException e) {
      throw new ApplyException(
          "pruning " + candidate.key() + " from " + namespace + " failed: " + serverMessage(e),
          e,
          retryable(e));
    }
  }

  private static String describe(Manifest manifest) {
    return manifest.key() + " from " + manifest.origin();
  }

  /** The API server's own words (status, message, field causes), not the client's request dump. */
  static String serverMessage(KubernetesClientException e) {
    Status status = e.getStatus();
    if (status == null || status.getMessage() == null) {
      return e.getCode() > 0 ? e.getCode() + ": " + e.getMessage() : String.valueOf(e.getMessage());
    }
    StringBuilder text = new StringBuilder();
    text.append(status.getCode() == null ? e.getCode() : status.getCode());
    if (status.getReason() != null) {
      text.append(' ').append(status.getReason());
    }
    text.append(": ").append(status.getMessage());
    if (status.getDetails() != null && status.getDetails().getCauses() != null) {
      for (StatusCause cause : status.getDetails().getCauses()) {
        if (cause.getMessage() != null && !status.getMessage().contains(cause.getMessage())) {
          text.append("; ");
          if (cause.getField() != null) {
            text.append(cause.getField()).append(": ");
          }
          text.append(cause.getMessage());
        }
      }
    }
    return text.toString();
  }

  /** Worth retrying unchanged: the server was unreachable, overloaded or failed itself. */
  private static boolean retryable(KubernetesClientException e) {
    int code = e.getCode();
    return code <= 0 || code == TOO_MANY_REQUESTS || code >= 500;
  }

  private record GroupKindName(GroupKind groupKind, String name) {}

  private record Candidate(
      GroupKind kind, ResourceDefinitionContext context, GenericKubernetesResource object) {
    Manifest.ObjectKey key() {
      String apiVersion =
          context.getGroup() == null || context.getGroup().isEmpty()
              ? context.getVersion()
              : context.getGroup() + "/" + context.getVersion();
      return new Manifest.ObjectKey(apiVersion, kind.kind(), object.getMetadata().getName());
    }
  }
}

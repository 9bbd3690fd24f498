package dev.branchyard.deploy;

import dev.branchyard.Pure;
import dev.branchyard.deploy.YamlDocuments.Document;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What every rendered object must satisfy and gets, whether from a template or a chart: it names
 * itself, stays in the environment's namespace, is namespaced at all, and carries the environment's
 * labels (on the object and on its pod templates, never on selectors). Ports without a protocol get
 * {@code TCP}: server-side apply on Kubernetes 1.20 rejects them, since protocol is part of the
 * ports' list-map key.
 */
@Pure
final class ManifestRules {

  /**
   * Kinds that are not namespaced: an environment may only write into its own namespace. Matched by
   * kind alone; custom cluster-scoped kinds beyond these cannot be told apart without the API
   * server's discovery.
   */
  static final Set<String> CLUSTER_SCOPED_KINDS =
      Set.of(
          "Namespace",
          "Node",
          "PersistentVolume",
          "StorageClass",
          "CSIDriver",
          "CSINode",
          "VolumeAttachment",
          "ClusterRole",
          "ClusterRoleBinding",
          "CustomResourceDefinition",
          "APIService",
          "MutatingWebhookConfiguration",
          "ValidatingWebhookConfiguration",
          "PriorityClass",
          "RuntimeClass",
          "PodSecurityPolicy",
          "IngressClass",
          "CertificateSigningRequest",
          "ComponentStatus",
          "FlowSchema",
          "PriorityLevelConfiguration",
          "ClusterIssuer");

  /** Kinds whose {@code spec.template} is a pod template. */
  private static final Set<String> POD_TEMPLATE_KINDS =
      Set.of(
          "Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet", "ReplicationController");

  private static final Set<String> CONTAINER_LISTS =
      Set.of("containers", "initContainers", "ephemeralContainers");

  private static final Pattern LABEL_VALUE =
      Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");

  private final RenderContext context;
  private final Map<String, String> labels;

  ManifestRules(RenderContext context) {
    this.context = context;
    Map<String, String> all = new LinkedHashMap<>();
    all.put(EnvironmentLabels.MANAGED_BY, EnvironmentLabels.MANAGED_BY_VALUE);
    all.put(EnvironmentLabels.ENVIRONMENT, labelValue("environment", context.environment()));
    all.put(EnvironmentLabels.COMPONENT, labelValue("component", context.component()));
    all.put(EnvironmentLabels.SPEC, labelValue("spec", context.spec()));
    this.labels = Map.copyOf(all);
  }

  /** The labels every object of this component gets. */
  Map<String, String> labels() {
    return labels;
  }

  /** Checks and completes one document; {@code file} names it in errors and in the origin. */
  Manifest apply(String file, Document document) throws RenderException {
    Map<String, Object> tree = document.tree();
    String kind = requiredText(file, document, "kind", tree.get("kind"));
    requiredText(file, document, "apiVersion", tree.get("apiVersion"));
    if (!(tree.get("metadata") instanceof Map<?, ?> rawMetadata)) {
      throw new RenderException(
          document.mark("metadata").in(file)
              + ": "
              + kind
              + " has no metadata mapping: every object needs metadata.name");
    }
    Map<String, Object> metadata = mutable(rawMetadata);
    tree.put("metadata", metadata);
    String name = requiredText(file, document, "metadata.name", metadata.get("name"));
    String where = kind + " '" + name + "'";
    if (kind.equals("List") || kind.endsWith("List") && tree.containsKey("items")) {
      throw new RenderException(
          document.mark("kind").in(file)
              + ": "
              + where
              + " is a list: write each item as its own YAML document (separated by ---)");
    }
    if (CLUSTER_SCOPED_KINDS.contains(kind)) {
      throw new RenderException(
          document.mark("kind").in(file)
              + ": "
              + where
              + " is cluster-scoped: an environment may only create objects in its own namespace");
    }
    Object namespace = metadata.get("namespace");
    if (namespace != null && !context.namespace().equals(namespace)) {
      throw new RenderException(
          document.mark("metadata.namespace").in(file)
              + ": "
              + where
              + " is in namespace '"
              + namespace
              + "': an environment may only write its own namespace ("
              + context.namespace()
              + "); leave metadata.namespace out, or use {{ namespace }}");
    }
    addLabels(file, document, where, metadata, "metadata.labels");
    for (List<String> path : podTemplateMetadata(kind)) {
      Map<String, Object> podMetadata = mapAt(tree, path);
      if (podMetadata != null) {
        addLabels(file, document, where, podMetadata, String.join(".", path) + ".labels");
      }
    }
    if (kind.equals("Service") && tree.get("spec") instanceof Map<?, ?> spec) {
      defaultProtocols(spec.get("ports"));
    }
    defaultContainerPortProtocols(tree);
    return new Manifest(context.component(), document.start().in(file), tree);
  }

  private static List<List<String>> podTemplateMetadata(String kind) {
    if (POD_TEMPLATE_KINDS.contains(kind)) {
      return List.of(List.of("spec", "template", "metadata"));
    }
    if (kind.equals("CronJob")) {
      return List.of(
          List.of("spec", "jobTemplate", "metadata"),
          List.of("spec", "jobTemplate", "spec", "template", "metadata"));
    }
    return List.of();
  }

  private void addLabels(
      String file, Document document, String where, Map<String, Object> metadata, String path)
      throws RenderException {
    Object existing = metadata.get("labels");
    if (existing != null && !(existing instanceof Map<?, ?>)) {
      throw new RenderException(
          document.start().in(file) + ": " + where + ": " + path + " must be a mapping");
    }
    Map<String, Object> merged =
        existing == null ? new LinkedHashMap<>() : mutable((Map<?, ?>) existing);
    merged.putAll(labels);
    metadata.put("labels", merged);
  }

  /**
   * The mapping at {@code path}, creating the last {@code metadata} level of a pod template that
   * has none, replacing immutable maps with mutable copies on the way; null where the path ends.
   */
  private static Map<String, Object> mapAt(Map<String, Object> root, List<String> path) {
    Map<String, Object> current = root;
    for (int i = 0; i < path.size(); i++) {
      String key = path.get(i);
      Object child = current.get(key);
      if (child == null && i == path.size() - 1 && key.equals("metadata")) {
        child = new LinkedHashMap<String, Object>();
      }
      if (!(child instanceof Map<?, ?> map)) {
        return null;
      }
      Map<String, Object> copy = mutable(map);
      current.put(key, copy);
      current = copy;
    }
    return current;
  }

  /** Every container list anywhere in the object: pods, pod templates, CronJobs, custom kinds. */
  @SuppressWarnings("unchecked")
  private static void defaultContainerPortProtocols(Object node) {
    if (node instanceof Map<?, ?> map) {
      for (Map.Entry<String, Object> entry : ((Map<String, Object>) map).entrySet()) {
        if (CONTAINER_LISTS.contains(entry.getKey()) && entry.getValue() instanceof List<?> list) {
          for (Object container : list) {
            if (container instanceof Map<?, ?> c) {
              defaultProtocols(c.get("ports"));
            }
          }
        } else {
          defaultContainerPortProtocols(entry.getValue());
        }
      }
    } else if (node instanceof List<?> list) {
      list.forEach(ManifestRules::defaultContainerPortProtocols);
    }
  }

  @SuppressWarnings("unchecked")
  private static void defaultProtocols(Object ports) {
    if (ports instanceof List<?> list) {
      for (Object port : list) {
        if (port instanceof Map<?, ?> map && map.get("protocol") == null) {
          ((Map<String, Object>) map).put("protocol", "TCP");
        }
      }
    }
  }

  private static String requiredText(String file, Document document, String path, Object value)
      throws RenderException {
    if (value instanceof String text && !text.isBlank()) {
      return text;
    }
    throw new RenderException(
        document.mark(path).in(file)
            + ": "
            + (value == null ? "no " + path : path + " must be a non-empty string")
            + ": every object needs apiVersion, kind and metadata.name");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> mutable(Map<?, ?> map) {
    return map instanceof LinkedHashMap<?, ?> linked
        ? (Map<String, Object>) linked
        : new LinkedHashMap<>((Map<String, Object>) map);
  }

  private static String labelValue(String what, String value) {
    if (value.length() > 63 || !LABEL_VALUE.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "the " + what + " name '" + value + "' cannot be a label value");
    }
    return value;
  }
}

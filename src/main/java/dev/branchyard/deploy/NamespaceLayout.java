package dev.branchyard.deploy;

import dev.branchyard.Pure;
import dev.branchyard.spec.Ingress;
import dev.branchyard.spec.Resources;
import dev.branchyard.spec.StackSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What an environment needs in its namespace besides its components' objects: the namespace itself,
 * its quota and limit range, network policies that keep other namespaces out, the Ingress, and
 * copies of the spec's secrets. All are labelled as the environment's, with component {@link
 * EnvironmentLabels#ENVIRONMENT_COMPONENT}.
 */
@Pure
public final class NamespaceLayout {

  /** Names of the objects this class makes, so other objects can stay clear of them. */
  public static final String QUOTA_NAME = "branchyard-quota";

  public static final String LIMIT_RANGE_NAME = "branchyard-limits";
  public static final String DENY_INGRESS_POLICY_NAME = "branchyard-default-deny-ingress";
  public static final String ALLOW_INGRESS_POLICY_NAME = "branchyard-allow-namespace-and-ingress";
  public static final String INGRESS_NAME = "branchyard";

  private static final int MAX_NAME = 63;
  private static final int HASH_LENGTH = 8;
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern PREFIX = Pattern.compile("([a-z0-9][-a-z0-9]{0,19})?");

  private final String namespacePrefix;
  private final Optional<String> ingressClassName;
  private final Map<String, String> controllerNamespaceLabels;

  /**
   * @param namespacePrefix put before every namespace name, e.g. {@code by-}; may be empty
   * @param ingressClassName the Ingresses' {@code spec.ingressClassName}, if any
   * @param controllerNamespaceLabels labels of the ingress controller's namespace; empty lets no
   *     other namespace in at all
   */
  public NamespaceLayout(
      String namespacePrefix,
      Optional<String> ingressClassName,
      Map<String, String> controllerNamespaceLabels) {
    if (!PREFIX.matcher(namespacePrefix).matches()) {
      throw new IllegalArgumentException(
          "namespace prefix '"
              + namespacePrefix
              + "': use at most 20 lowercase letters, digits and '-', starting with a letter or"
              + " digit");
    }
    this.namespacePrefix = namespacePrefix;
    this.ingressClassName = Objects.requireNonNull(ingressClassName, "ingressClassName");
    this.controllerNamespaceLabels = Map.copyOf(new TreeMap<>(controllerNamespaceLabels));
  }

  public static NamespaceLayout from(DeployConfig config) {
    return new NamespaceLayout(
        config.namespacePrefix(),
        config.ingress().className(),
        labels(config.ingress().controllerNamespaceLabels()));
  }

  /**
   * Reads {@code key=value} pairs separated by commas, as in {@code
   * branchyard.deploy.ingress.controller-namespace-labels}.
   *
   * @throws IllegalArgumentException for a pair without {@code =} or with an empty key
   */
  static Map<String, String> labels(String pairs) {
    Map<String, String> labels = new TreeMap<>();
    for (String pair : pairs.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int equals = pair.indexOf('=');
      if (equals <= 0 || pair.substring(0, equals).isBlank()) {
        throw new IllegalArgumentException(
            "'" + pair.strip() + "' is not a label: write key=value pairs separated by commas");
      }
      labels.put(pair.substring(0, equals).strip(), pair.substring(equals + 1).strip());
    }
    return labels;
  }

  /**
   * The namespace of an environment: the prefix and the environment's name, e.g. {@code
   * by-shop-pr-42} for environment {@code shop-pr-42} of spec {@code shop}. An environment name
   * that does not start with its spec's name gets it put in front. Whenever the result is not that
   * name as it stands (the spec's name added, or the name too long for 63 characters, with
   * uppercase or other characters), the invalid characters become {@code -}, it is cut to fit, and
   * {@code -} plus 8 hex digits of a SHA-256 of spec and environment name are appended: the same
   * input always gives the same name, and different inputs different names.
   */
  public String namespaceName(String spec, String environment) {
    boolean named = environment.equals(spec) || environment.startsWith(spec + "-");
    String wanted = namespacePrefix + (named ? environment : spec + "-" + environment);
    if (named && DNS_LABEL.matcher(wanted).matches()) {
      return wanted;
    }
    String cleaned = trimDashes(wanted.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-"));
    String kept =
        trimDashes(cleaned.substring(0, Math.min(cleaned.length(), MAX_NAME - 1 - HASH_LENGTH)));
    String hash = hash(spec + "\n" + environment);
    return kept.isEmpty() ? hash : kept + "-" + hash;
  }

  /**
   * The namespace itself, labelled with the environment, its home namespace and spec, and annotated
   * with the environment's uid, so the reaper can tell whose it is.
   */
  public Manifest namespace(EnvironmentIdentity id) {
    Map<String, Object> labels = new LinkedHashMap<>();
    labels.put(EnvironmentLabels.MANAGED_BY, EnvironmentLabels.MANAGED_BY_VALUE);
    labels.put(EnvironmentLabels.ENVIRONMENT, id.environment());
    labels.put(EnvironmentLabels.HOME_NAMESPACE, id.homeNamespace());
    labels.put(EnvironmentLabels.SPEC, id.spec());
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("name", id.namespace());
    metadata.put("labels", labels);
    metadata.put("annotations", Map.of(EnvironmentLabels.ENVIRONMENT_UID, id.uid()));
    return manifest("namespace", object("v1", "Namespace", metadata));
  }

  /**
   * Everything the environment needs in its namespace except the namespace itself and the copied
   * secrets: quota and limit range (when the spec sets them), network policies, and the Ingress
   * (when the spec has a host pattern and there is a target).
   */
  public List<Manifest> environmentObjects(
      EnvironmentIdentity id, StackSpec spec, Optional<IngressTarget> ingressTarget) {
    List<Manifest> objects = new ArrayList<>();
    resourceQuota(id, spec.resources()).ifPresent(objects::add);
    limitRange(id, spec.resources()).ifPresent(objects::add);
    objects.addAll(networkPolicies(id));
    if (spec.ingress().isPresent() && ingressTarget.isPresent()) {
      objects.add(ingress(id, spec.ingress().get(), ingressTarget.get()));
    }
    return List.copyOf(objects);
  }

  /** A ResourceQuota with {@code spec.hard} from the spec's quota; none when it sets none. */
  public Optional<Manifest> resourceQuota(EnvironmentIdentity id, Resources resources) {
    if (resources.quota().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        manifest(
            "resources.quota",
            object(
                "v1",
                "ResourceQuota",
                metadata(id, QUOTA_NAME),
                Map.of("hard", new TreeMap<>(resources.quota())))));
  }

  /** A LimitRange of container defaults; none when the spec sets neither default. */
  public Optional<Manifest> limitRange(EnvironmentIdentity id, Resources resources) {
    if (resources.defaultLimit().isEmpty() && resources.defaultRequest().isEmpty()) {
      return Optional.empty();
    }
    Map<String, Object> limit = new LinkedHashMap<>();
    limit.put("type", "Container");
    if (!resources.defaultLimit().isEmpty()) {
      limit.put("default", new TreeMap<>(resources.defaultLimit()));
    }
    if (!resources.defaultRequest().isEmpty()) {
      limit.put("defaultRequest", new TreeMap<>(resources.defaultRequest()));
    }
    return Optional.of(
        manifest(
            "resources.limitRange",
            object(
                "v1",
                "LimitRange",
                metadata(id, LIMIT_RANGE_NAME),
                Map.of("limits", List.of(limit)))));
  }

  /**
   * Two NetworkPolicies: deny all ingress to every pod, then allow it from pods of the same
   * namespace and of the ingress controller's namespace. With no controller labels configured, only
   * the namespace's own pods are let in (an empty namespace selector would let in all).
   */
  public List<Manifest> networkPolicies(EnvironmentIdentity id) {
    Map<String, Object> deny = new LinkedHashMap<>();
    deny.put("podSelector", Map.of());
    deny.put("policyTypes", List.of("Ingress"));
    List<Object> from = new ArrayList<>();
    from.add(Map.of("podSelector", Map.of()));
    if (!controllerNamespaceLabels.isEmpty()) {
      from.add(Map.of("namespaceSelector", Map.of("matchLabels", controllerNamespaceLabels)));
    }
    Map<String, Object> allow = new LinkedHashMap<>();
    allow.put("podSelector", Map.of());
    allow.put("policyTypes", List.of("Ingress"));
    allow.put("ingress", List.of(Map.of("from", from)));
    return List.of(
        manifest(
            "network policy",
            object(
                "networking.k8s.io/v1",
                "NetworkPolicy",
                metadata(id, DENY_INGRESS_POLICY_NAME),
                deny)),
        manifest(
            "network policy",
            object(
                "networking.k8s.io/v1",
                "NetworkPolicy",
                metadata(id, ALLOW_INGRESS_POLICY_NAME),
                allow)));
  }

  /** An Ingress for the environment's host, routing every path to {@code target}. */
  public Manifest ingress(EnvironmentIdentity id, Ingress ingress, IngressTarget target) {
    Map<String, Object> path = new LinkedHashMap<>();
    path.put("path", "/");
    path.put("pathType", "Prefix");
    path.put(
        "backend",
        Map.of(
            "service", Map.of("name", target.service(), "port", Map.of("number", target.port()))));
    Map<String, Object> rule = new LinkedHashMap<>();
    rule.put("host", ingress.hostFor(id.environment()));
    rule.put("http", Map.of("paths", List.of(path)));
    Map<String, Object> spec = new LinkedHashMap<>();
    ingressClassName.ifPresent(name -> spec.put("ingressClassName", name));
    spec.put("rules", List.of(rule));
    return manifest(
        "ingress", object("networking.k8s.io/v1", "Ingress", metadata(id, INGRESS_NAME), spec));
  }

  /**
   * A copy of a secret from Branchyard's namespace, for the environment's: same name, type and
   * data, none of the source's metadata (no owner references, which cannot cross namespaces).
   *
   * @param data the source's {@code data}, base64 values as they are
   */
  public Manifest copiedSecret(
      EnvironmentIdentity id, String name, String type, Map<String, String> data) {
    Map<String, Object> secret = object("v1", "Secret", metadata(id, name), null);
    secret.put("type", type);
    secret.put("data", new TreeMap<>(data));
    return manifest("secrets: " + name, secret);
  }

  private static Map<String, Object> metadata(EnvironmentIdentity id, String name) {
    Map<String, Object> labels = new LinkedHashMap<>();
    labels.put(EnvironmentLabels.MANAGED_BY, EnvironmentLabels.MANAGED_BY_VALUE);
    labels.put(EnvironmentLabels.ENVIRONMENT, id.environment());
    labels.put(EnvironmentLabels.COMPONENT, EnvironmentLabels.ENVIRONMENT_COMPONENT);
    labels.put(EnvironmentLabels.SPEC, id.spec());
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("name", name);
    metadata.put("labels", labels);
    return metadata;
  }

  private static Map<String, Object> object(
      String apiVersion, String kind, Map<String, Object> metadata) {
    return object(apiVersion, kind, metadata, null);
  }

  private static Map<String, Object> object(
      String apiVersion, String kind, Map<String, Object> metadata, Map<String, ?> spec) {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("apiVersion", apiVersion);
    object.put("kind", kind);
    object.put("metadata", metadata);
    if (spec != null) {
      object.put("spec", spec);
    }
    return object;
  }

  private static Manifest manifest(String origin, Map<String, Object> object) {
    return new Manifest(EnvironmentLabels.ENVIRONMENT_COMPONENT, origin, object);
  }

  private static String trimDashes(String text) {
    return text.replaceAll("^-+|-+$", "");
  }

  private static String hash(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_LENGTH);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}

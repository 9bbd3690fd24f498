package dev.branchyard.deploy;

import dev.branchyard.Pure;
import java.util.Map;
import java.util.Objects;

/**
 * One Kubernetes object to apply to an environment's namespace, as rendered.
 *
 * @param component the component it belongs to; {@link EnvironmentLabels#ENVIRONMENT_COMPONENT} for
 *     objects of the environment itself (quota, limit range, network policy, copied secrets)
 * @param origin where it came from, for error messages: a template file, a chart or "namespace"
 * @param object the object as a JSON-like tree (maps, lists, strings, numbers, booleans), deeply
 *     unmodifiable; it has {@code apiVersion}, {@code kind} and {@code metadata.name}
 */
@Pure
public record Manifest(String component, String origin, Map<String, Object> object) {

  public Manifest {
    Objects.requireNonNull(component, "component");
    Objects.requireNonNull(origin, "origin");
    object = DeepFreeze.map(object);
    for (String key : new String[] {"apiVersion", "kind"}) {
      if (!(object.get(key) instanceof String text) || text.isBlank()) {
        throw new IllegalArgumentException(origin + ": object has no " + key);
      }
    }
    if (name(object) == null) {
      throw new IllegalArgumentException(origin + ": object has no metadata.name");
    }
  }

  public String apiVersion() {
    return (String) object.get("apiVersion");
  }

  public String kind() {
    return (String) object.get("kind");
  }

  public String name() {
    return name(object);
  }

  /** A stable identity of the object within its namespace: {@code apiVersion/kind/name}. */
  public ObjectKey key() {
    return new ObjectKey(apiVersion(), kind(), name());
  }

  private static String name(Map<String, Object> object) {
    return object.get("metadata") instanceof Map<?, ?> metadata
            && metadata.get("name") instanceof String name
            && !name.isBlank()
        ? name
        : null;
  }

  /** Identity of one object within a namespace. */
  public record ObjectKey(String apiVersion, String kind, String name) {
    @Override
    public String toString() {
      return kind + "/" + name + " (" + apiVersion + ")";
    }
  }
}

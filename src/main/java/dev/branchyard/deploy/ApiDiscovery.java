package dev.branchyard.deploy;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;

/**
 * Which resources the cluster serves, from API discovery, cached for {@link #TTL}: apply and
 * readiness need the plural and scope of arbitrary kinds (custom resources included), and asking
 * for them on every object would double the requests of every reconcile.
 */
@ApplicationScoped
public class ApiDiscovery {

  /** Long enough that a reconcile rarely asks twice; short enough to notice new CRDs. */
  static final Duration TTL = Duration.ofMinutes(10);

  private static final int NOT_FOUND = 404;

  private final KubernetesClient client;
  private final Clock clock;
  private final ConcurrentMap<String, Cached<Optional<List<APIResource>>>> resources =
      new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Cached<List<String>>> groupVersions =
      new ConcurrentHashMap<>();

  public ApiDiscovery(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /**
   * The resource serving {@code kind} in exactly {@code apiVersion}, or empty when the cluster does
   * not serve it (no such API group or version, or no such kind in it: a missing CRD).
   *
   * @param fresh ask the cluster even when a cached answer exists (after a miss, to notice a CRD
   *     installed since)
   */
  public Optional<ResourceDefinitionContext> resolve(
      String apiVersion, String kind, boolean fresh) {
    if (fresh) {
      resources.remove(apiVersion);
    }
    return resourcesOf(apiVersion).stream()
        .flatMap(List::stream)
        .filter(r -> kind.equals(r.getKind()) && !r.getName().contains("/"))
        .findFirst()
        .map(r -> ResourceDefinitionContext.fromApiResource(apiVersion, r));
  }

  /**
   * The resource serving {@code kind} of {@code group} in the first version that has it, in the
   * server's order of preference; empty when no version of the group serves it.
   */
  public Optional<ResourceDefinitionContext> resolve(GroupKind groupKind) {
    for (String apiVersion : versionsOf(groupKind.group())) {
      Optional<ResourceDefinitionContext> found = resolve(apiVersion, groupKind.kind(), false);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  /** Drops what is known of {@code apiVersion}, e.g. after the server answered 404 for it. */
  public void forget(String apiVersion) {
    resources.remove(apiVersion);
  }

  private Optional<List<APIResource>> resourcesOf(String apiVersion) {
    Instant now = clock.instant();
    Cached<Optional<List<APIResource>>> cached = resources.get(apiVersion);
    if (cached != null && cached.freshAt(now)) {
      return cached.value();
    }
    Optional<List<APIResource>> value = Optional.ofNullable(fetchResources(apiVersion));
    resources.put(apiVersion, new Cached<>(value, now.plus(TTL)));
    return value;
  }

  private List<APIResource> fetchResources(String apiVersion) {
    try {
      APIResourceList list = client.getApiResources(apiVersion);
      return list == null ? null : List.copyOf(list.getResources());
    } catch (KubernetesClientException e) {
      if (e.getCode() == NOT_FOUND) {
        return null;
      }
      throw e;
    }
  }

  private List<String> versionsOf(String group) {
    if (group.isEmpty()) {
      return List.of("v1");
    }
    Instant now = clock.instant();
    Cached<List<String>> cached = groupVersions.get(group);
    if (cached != null && cached.freshAt(now)) {
      return cached.value();
    }
    List<String> value = fetchVersions(group);
    groupVersions.put(group, new Cached<>(value, now.plus(TTL)));
    return value;
  }

  private List<String> fetchVersions(String group) {
    APIGroup found;
    try {
      found = client.getApiGroup(group);
    } catch (KubernetesClientException e) {
      if (e.getCode() == NOT_FOUND) {
        return List.of();
      }
      throw e;
    }
    if (found == null) {
      return List.of();
    }
    // The preferred version first, then the rest in the server's order (newest first).
    String preferred =
        found.getPreferredVersion() == null ? null : found.getPreferredVersion().getGroupVersion();
    return Stream.concat(
            Stream.ofNullable(preferred),
            found.getVersions().stream().map(GroupVersionForDiscovery::getGroupVersion))
        .distinct()
        .toList();
  }

  /**
   * A kind within an API group, whatever its version.
   *
   * @param group the API group, empty for the core group
   */
  public record GroupKind(String group, String kind) {

    public static GroupKind of(String apiVersion, String kind) {
      return new GroupKind(groupOf(apiVersion), kind);
    }

    /**
     * The group of an {@code apiVersion}: {@code apps} for {@code apps/v1}, empty for {@code v1}.
     */
    public static String groupOf(String apiVersion) {
      int slash = apiVersion.indexOf('/');
      return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    @Override
    public String toString() {
      return group.isEmpty() ? kind : kind + "." + group;
    }
  }

  private record Cached<T>(T value, Instant expires) {
    boolean freshAt(Instant now) {
      return now.isBefore(expires);
    }
  }
}

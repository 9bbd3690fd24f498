package dev.branchyard.lifecycle;

import dev.branchyard.lifecycle.AdmissionPolicy.Decision;
import dev.branchyard.lifecycle.AdmissionPolicy.EnvironmentSummary;
import dev.branchyard.spec.Limits;
import dev.branchyard.spec.LoadedSpec;
import dev.branchyard.spec.SpecCatalog;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Enforces the limits on concurrent environments ({@link AdmissionPolicy}) against the Environments
 * that exist: the queue is derived from the resources every time (creation time, then name), never
 * kept in memory, so a restarted or newly elected replica decides exactly as the old one did.
 *
 * <p>An environment is admitted once (condition {@value StatusDraft#ADMITTED} {@code True}) and
 * keeps its slot until it is gone; later updates never queue it again. Environments that reached a
 * later phase before admission was enforced count as admitted. A {@code Failed} environment neither
 * holds a slot nor waits: its failure frees the slot for the next in the queue (if it recovers, by
 * a new push, it carries on, so the count may briefly pass the limit; the queue then waits).
 *
 * <p>Eviction ({@code onLimit: evictOldest}) deletes the least recently updated environment of the
 * stack (its {@code branchyard.dev/requested-at}, else its creation), after marking it with {@value
 * #EVICTED_BY} and recording an {@code Evicted} event naming the environment it made room for:
 * never silently.
 */
@ApplicationScoped
public class EnvironmentAdmission {

  /** Annotation on an evicted Environment: the environment it was deleted to make room for. */
  public static final String EVICTED_BY = "branchyard.dev/evicted-by";

  private static final Logger LOG = Logger.getLogger(EnvironmentAdmission.class);

  /** Phases that only an admitted environment reaches. */
  private static final Set<EnvironmentPhase> PAST_ADMISSION =
      EnumSet.of(
          EnvironmentPhase.Resolving,
          EnvironmentPhase.Building,
          EnvironmentPhase.Deploying,
          EnvironmentPhase.Ready);

  private final KubernetesClient client;
  private final SpecCatalog catalog;
  private final EventRecorder events;
  private final LifecycleConfig config;

  public EnvironmentAdmission(
      KubernetesClient client, SpecCatalog catalog, EventRecorder events, LifecycleConfig config) {
    this.client = client;
    this.catalog = catalog;
    this.events = events;
    this.config = config;
  }

  /** Whether {@code status} says the environment holds a slot. */
  static boolean isAdmitted(EnvironmentStatus status) {
    if (status == null) {
      return false;
    }
    if (status.conditions() != null) {
      for (Condition condition : status.conditions()) {
        if (StatusDraft.ADMITTED.equals(condition.getType())) {
          return "True".equals(condition.getStatus());
        }
      }
    }
    return status.phase() != null && PAST_ADMISSION.contains(status.phase());
  }

  /**
   * What {@code candidate} gets, given every Environment in its namespace (e.g. the controller's
   * cache; may include the candidate itself, whose own copy wins).
   */
  Decision decide(Environment candidate, Collection<Environment> all) {
    String name = candidate.getMetadata().getName();
    List<EnvironmentSummary> others = new ArrayList<>();
    for (Environment environment : all) {
      if (environment.getMetadata().getName().equals(name) || isFailed(environment)) {
        continue;
      }
      others.add(summaryOf(environment));
    }
    return AdmissionPolicy.decide(
        summaryOf(candidate), others, config.limits().maxEnvironments(), this::limitsOf);
  }

  private Limits limitsOf(String specName) {
    return catalog
        .get(specName)
        .map(LoadedSpec::spec)
        .map(s -> s.limits())
        .orElse(Limits.defaults());
  }

  /**
   * Deletes {@code victim} to make room for {@code candidate}, unless it is already being deleted
   * or gone: marks it with {@value #EVICTED_BY} and records an {@code Evicted} event on it.
   *
   * @return whether this call asked for the deletion
   */
  boolean evict(Environment candidate, String victim, String reason) {
    String namespace = candidate.getMetadata().getNamespace();
    String by = candidate.getMetadata().getName();
    var resource = client.resources(Environment.class).inNamespace(namespace).withName(victim);
    Environment current;
    try {
      current = resource.get();
    } catch (KubernetesClientException e) {
      LOG.warnf("cannot read %s to evict it: %s", victim, e.getMessage());
      return false;
    }
    if (current == null || current.getMetadata().getDeletionTimestamp() != null) {
      return false;
    }
    String patch =
        "{\"metadata\":{\"annotations\":{\""
            + EVICTED_BY
            + "\":\""
            + by.replace("\"", "")
            + "\"}}}";
    resource.patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    events.warning(
        current,
        "Evicted",
        "deleted to make room for " + by + " (its stack's limit, onLimit: evictOldest): " + reason);
    resource.delete();
    LOG.infof("evicted environment %s/%s for %s: %s", namespace, victim, by, reason);
    return true;
  }

  /** The environment an evicted one made room for, from its {@value #EVICTED_BY} annotation. */
  static Optional<String> evictedBy(Environment environment) {
    Map<String, String> annotations = environment.getMetadata().getAnnotations();
    return annotations == null
        ? Optional.empty()
        : Optional.ofNullable(annotations.get(EVICTED_BY));
  }

  static EnvironmentSummary summaryOf(Environment environment) {
    var meta = environment.getMetadata();
    Instant created = ResourceTimes.parse(meta.getCreationTimestamp()).orElse(Instant.EPOCH);
    Instant updated =
        Optional.ofNullable(meta.getAnnotations())
            .flatMap(a -> ResourceTimes.parse(a.get(EnvironmentRequests.REQUESTED_AT_ANNOTATION)))
            .filter(at -> at.isAfter(created))
            .orElse(created);
    EnvironmentStatus status = environment.getStatus();
    EnvironmentPhase phase =
        status == null || status.phase() == null ? EnvironmentPhase.Pending : status.phase();
    String spec = environment.getSpec() == null ? "" : environment.getSpec().specName();
    return new EnvironmentSummary(
        meta.getName(),
        spec,
        phase,
        created,
        updated,
        isAdmitted(status),
        Optional.empty(),
        meta.getDeletionTimestamp() != null);
  }

  private static boolean isFailed(Environment environment) {
    EnvironmentStatus status = environment.getStatus();
    return status != null && status.phase() == EnvironmentPhase.Failed;
  }
}

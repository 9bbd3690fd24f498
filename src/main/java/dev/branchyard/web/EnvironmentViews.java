package dev.branchyard.web;

import dev.branchyard.lifecycle.ComponentStatus;
import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentPhase;
import dev.branchyard.lifecycle.EnvironmentSpec;
import dev.branchyard.lifecycle.EnvironmentStatus;
import dev.branchyard.lifecycle.ResolvedRef;
import dev.branchyard.lifecycle.TimelineEvent;
import dev.branchyard.lifecycle.Trigger;
import dev.branchyard.web.EnvironmentView.ComponentView;
import dev.branchyard.web.EnvironmentView.ConditionView;
import dev.branchyard.web.EnvironmentView.TimelineEntry;
import dev.branchyard.web.EnvironmentView.TriggerView;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads an {@code Environment} resource into the {@link EnvironmentView} the API and pages show.
 * Tolerates a resource the controller has not reached yet (no status) and half-written statuses:
 * unknown parts are null or empty, never an error.
 */
public final class EnvironmentViews {

  private EnvironmentViews() {}

  public static EnvironmentView of(Environment environment) {
    ObjectMeta meta = environment.getMetadata();
    EnvironmentSpec spec = environment.getSpec();
    EnvironmentStatus status = environment.getStatus();
    boolean deleting = meta.getDeletionTimestamp() != null;
    EnvironmentPhase phase =
        deleting
            ? EnvironmentPhase.Deleting
            : status == null || status.phase() == null ? EnvironmentPhase.Pending : status.phase();
    return new EnvironmentView(
        meta.getName(),
        spec == null ? null : spec.specName(),
        trigger(spec == null ? null : spec.trigger()),
        phase,
        status == null ? null : status.queuePosition(),
        status == null ? null : status.message(),
        status == null ? null : status.namespace(),
        status == null ? null : status.url(),
        status == null ? List.of() : nonNull(status.urls()),
        instant(meta.getCreationTimestamp()),
        instant(status == null ? null : status.expiresAt()),
        deleting,
        status == null ? List.of() : conditions(nonNull(status.conditions())),
        status == null
            ? List.of()
            : components(nonNull(status.components()), nonNull(status.resolvedRefs())),
        status == null ? List.of() : timeline(nonNull(status.timeline())));
  }

  private static TriggerView trigger(Trigger trigger) {
    if (trigger == null) {
      return new TriggerView(null, null, null, null, null, null, null, false);
    }
    return new TriggerView(
        trigger.source(),
        trigger.repo(),
        trigger.pullRequest(),
        trigger.requestedBy(),
        trigger.branch(),
        trigger.baseBranch(),
        trigger.headSha(),
        Boolean.TRUE.equals(trigger.fork()));
  }

  private static List<ConditionView> conditions(List<Condition> conditions) {
    return conditions.stream()
        .filter(Objects::nonNull)
        .map(
            c ->
                new ConditionView(
                    c.getType(),
                    c.getStatus(),
                    c.getReason(),
                    c.getMessage(),
                    instant(c.getLastTransitionTime())))
        .toList();
  }

  /**
   * Components in the order the status lists them, each joined with the ref resolved for it; refs
   * of components the status does not list yet (still resolving or building) follow.
   */
  private static List<ComponentView> components(
      List<ComponentStatus> statuses, List<ResolvedRef> refs) {
    Map<String, ResolvedRef> refsByComponent = new LinkedHashMap<>();
    for (ResolvedRef ref : refs) {
      if (ref != null && ref.component() != null) {
        refsByComponent.putIfAbsent(ref.component(), ref);
      }
    }
    List<ComponentView> views = new ArrayList<>();
    for (ComponentStatus status : statuses) {
      if (status == null || status.name() == null) {
        continue;
      }
      ResolvedRef ref = refsByComponent.remove(status.name());
      views.add(
          new ComponentView(
              status.name(),
              ref == null ? null : ref.repo(),
              ref == null ? null : ref.refKind(),
              ref == null ? null : ref.refName(),
              status.commitSha() != null ? status.commitSha() : ref == null ? null : ref.sha(),
              ref == null ? null : ref.reason(),
              status.image(),
              status.imageBuild(),
              status.imagePhase(),
              status.deployPhase(),
              status.message()));
    }
    for (ResolvedRef ref : refsByComponent.values()) {
      views.add(
          new ComponentView(
              ref.component(),
              ref.repo(),
              ref.refKind(),
              ref.refName(),
              ref.sha(),
              ref.reason(),
              null,
              null,
              null,
              null,
              null));
    }
    return views;
  }

  private static List<TimelineEntry> timeline(List<TimelineEvent> events) {
    return events.stream()
        .filter(Objects::nonNull)
        .map(e -> new TimelineEntry(instant(e.time()), e.type(), e.reason(), e.message()))
        .toList();
  }

  private static <T> List<T> nonNull(List<T> list) {
    return list == null ? List.of() : list;
  }

  /** RFC 3339 text as an instant; null when absent or unreadable (a view never fails). */
  private static Instant instant(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}

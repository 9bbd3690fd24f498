package dev.branchyard.lifecycle;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The status of one environment while one reconcile works on it: the single place where phase,
 * conditions (with transition times), component states and the bounded timeline change. {@link
 * #build()} gives the immutable {@link EnvironmentStatus} to write; {@link #changedSince} tells
 * whether writing is needed at all.
 *
 * <p>Conditions keep their {@code lastTransitionTime} while their status stays the same, as
 * Kubernetes conventions ask, so "Deploying since" and readiness timeouts can be read from them.
 */
final class StatusDraft {

  /** Condition types, in the order the pipeline reaches them. */
  static final String ADMITTED = "Admitted";

  static final String RESOLVED = "Resolved";
  static final String IMAGES_READY = "ImagesReady";
  static final String NAMESPACE_READY = "NamespaceReady";
  static final String APPLIED = "Applied";
  static final String READY = "Ready";

  private final Clock clock;
  private final long generation;
  private EnvironmentPhase phase;
  private Integer queuePosition;
  private String namespace;
  private String url;
  private List<String> urls;
  private String expiresAt;
  private List<ResolvedRef> resolvedRefs;
  private final Map<String, ComponentStatus> components = new LinkedHashMap<>();
  private final Map<String, Condition> conditions = new LinkedHashMap<>();
  private final List<TimelineEvent> timeline;
  private final List<TimelineEvent> added = new ArrayList<>();
  private String message;
  private String specRevision;
  private Long observedGeneration;
  private String rebuild;

  private StatusDraft(Clock clock, long generation, EnvironmentStatus current) {
    this.clock = clock;
    this.generation = generation;
    EnvironmentStatus status = current == null ? empty() : current;
    this.phase = status.phase() == null ? EnvironmentPhase.Pending : status.phase();
    this.queuePosition = status.queuePosition();
    this.namespace = status.namespace();
    this.url = status.url();
    this.urls = status.urls() == null ? List.of() : status.urls();
    this.expiresAt = status.expiresAt();
    this.resolvedRefs = status.resolvedRefs() == null ? List.of() : status.resolvedRefs();
    if (status.components() != null) {
      status.components().forEach(c -> components.put(c.name(), c));
    }
    if (status.conditions() != null) {
      status.conditions().forEach(c -> conditions.put(c.getType(), c));
    }
    this.timeline = new ArrayList<>(status.timeline() == null ? List.of() : status.timeline());
    this.message = status.message();
    this.specRevision = status.specRevision();
    this.observedGeneration = status.observedGeneration();
    this.rebuild = status.rebuild();
  }

  static StatusDraft of(Environment environment, Clock clock) {
    Long generation = environment.getMetadata().getGeneration();
    return new StatusDraft(clock, generation == null ? 0 : generation, environment.getStatus());
  }

  private static EnvironmentStatus empty() {
    return new EnvironmentStatus(
        null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  EnvironmentPhase phase() {
    return phase;
  }

  long generation() {
    return generation;
  }

  Optional<Long> observedGeneration() {
    return Optional.ofNullable(observedGeneration);
  }

  Optional<String> namespace() {
    return Optional.ofNullable(namespace);
  }

  Optional<String> specRevision() {
    return Optional.ofNullable(specRevision);
  }

  List<ResolvedRef> resolvedRefs() {
    return resolvedRefs;
  }

  Optional<Integer> queuePosition() {
    return Optional.ofNullable(queuePosition);
  }

  /** The last rebuild request carried out, if any. */
  Optional<String> rebuild() {
    return Optional.ofNullable(rebuild);
  }

  StatusDraft rebuild(String handled) {
    rebuild = handled;
    return this;
  }

  /**
   * Waits in the admission queue at {@code position}: phase {@code Queued}, condition {@value
   * #ADMITTED} false, and a timeline entry whenever the position (or the phase) changes.
   */
  StatusDraft queued(int position, String reason, String text) {
    boolean changed =
        phase != EnvironmentPhase.Queued || !Integer.valueOf(position).equals(queuePosition);
    phase = EnvironmentPhase.Queued;
    queuePosition = position;
    message = text;
    condition(ADMITTED, false, reason, text);
    if (changed) {
      event("Normal", reason, text);
    }
    return this;
  }

  Optional<String> expiresAt() {
    return Optional.ofNullable(expiresAt);
  }

  Optional<ComponentStatus> component(String name) {
    return Optional.ofNullable(components.get(name));
  }

  Optional<Condition> condition(String type) {
    return Optional.ofNullable(conditions.get(type));
  }

  /** Moves to {@code next}, with a timeline entry when the phase actually changes. */
  StatusDraft phase(EnvironmentPhase next, String reason, String text) {
    boolean changed = next != phase;
    phase = next;
    message = text;
    if (next != EnvironmentPhase.Queued) {
      queuePosition = null;
    }
    if (changed) {
      event(next == EnvironmentPhase.Failed ? "Warning" : "Normal", reason, text);
    }
    return this;
  }

  StatusDraft queuePosition(Integer position) {
    queuePosition = position;
    return this;
  }

  StatusDraft namespace(String name) {
    namespace = name;
    return this;
  }

  StatusDraft urls(List<String> all) {
    urls = List.copyOf(all);
    url = all.isEmpty() ? null : all.get(0);
    return this;
  }

  StatusDraft expiresAt(Instant when) {
    expiresAt = when == null ? null : when.truncatedTo(ChronoUnit.SECONDS).toString();
    return this;
  }

  StatusDraft resolved(List<ResolvedRef> refs, String revision) {
    resolvedRefs = List.copyOf(refs);
    specRevision = revision;
    observedGeneration = generation;
    return this;
  }

  StatusDraft component(ComponentStatus status) {
    components.put(status.name(), status);
    return this;
  }

  /** Keeps only the named components (a component removed from the spec disappears). */
  StatusDraft retainComponents(List<String> names) {
    components.keySet().retainAll(names);
    return this;
  }

  /**
   * Sets a condition. Its transition time moves only when its status changes; reason and message
   * follow the latest call.
   */
  StatusDraft condition(String type, boolean status, String reason, String text) {
    String value = status ? "True" : "False";
    Condition previous = conditions.get(type);
    String transition =
        previous != null && value.equals(previous.getStatus())
            ? previous.getLastTransitionTime()
            : now().toString();
    conditions.put(
        type,
        new ConditionBuilder()
            .withType(type)
            .withStatus(value)
            .withReason(reason)
            .withMessage(text)
            .withObservedGeneration(generation)
            .withLastTransitionTime(transition)
            .build());
    return this;
  }

  /** Appends to the timeline (the oldest entries go first once it is full). */
  StatusDraft event(String type, String reason, String text) {
    TimelineEvent event = new TimelineEvent(now().toString(), type, reason, text);
    timeline.add(event);
    added.add(event);
    while (timeline.size() > EnvironmentStatus.MAX_TIMELINE) {
      timeline.remove(0);
    }
    return this;
  }

  /** The timeline entries added since this draft was made: also sent as Kubernetes Events. */
  List<TimelineEvent> addedEvents() {
    return List.copyOf(added);
  }

  EnvironmentStatus build() {
    List<Condition> ordered = new ArrayList<>();
    for (String type : List.of(ADMITTED, RESOLVED, IMAGES_READY, NAMESPACE_READY, APPLIED, READY)) {
      if (conditions.containsKey(type)) {
        ordered.add(conditions.get(type));
      }
    }
    conditions.forEach(
        (type, condition) -> {
          if (!ordered.contains(condition)) {
            ordered.add(condition);
          }
        });
    return new EnvironmentStatus(
        observedGeneration,
        phase,
        queuePosition,
        namespace,
        url,
        urls,
        expiresAt,
        resolvedRefs,
        List.copyOf(components.values()),
        ordered,
        List.copyOf(timeline),
        message,
        specRevision,
        rebuild);
  }

  /** Whether {@link #build()} differs from {@code status} (so a write is needed). */
  boolean changedSince(EnvironmentStatus status) {
    return !Objects.equals(build(), status);
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS);
  }
}

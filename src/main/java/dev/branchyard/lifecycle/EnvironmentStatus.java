package dev.branchyard.lifecycle;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * What Branchyard observed and did. One aggregator writes it; the web page, the API and GitHub
 * feedback all read it.
 *
 * @param observedGeneration the spec generation this status describes
 * @param phase the coarse state shown in listings
 * @param queuePosition position in the concurrency queue while {@code Queued}
 * @param namespace the namespace holding the environment's stack
 * @param url the primary URL of the environment, once ready
 * @param urls every URL the environment exposes
 * @param expiresAt when the environment will be torn down (RFC 3339)
 * @param resolvedRefs the exact commit chosen for each repo of the stack, and why
 * @param components per-component image and deploy state
 * @param conditions Kubernetes-style conditions with transition times
 * @param timeline a bounded, newest-last list of what happened
 * @param message what is going on now, or what went wrong and what to do about it, for people
 * @param specRevision the revision of the environment spec the status was computed from
 * @param rebuild the last {@code branchyard.dev/rebuild} request carried out (its annotation
 *     value), so each request is carried out once
 */
public record EnvironmentStatus(
    Long observedGeneration,
    EnvironmentPhase phase,
    @JsonPropertyDescription("Position in the concurrency queue while the phase is Queued.")
        Integer queuePosition,
    String namespace,
    String url,
    List<String> urls,
    @JsonPropertyDescription("When the environment will be torn down (RFC 3339).") String expiresAt,
    List<ResolvedRef> resolvedRefs,
    List<ComponentStatus> components,
    List<Condition> conditions,
    @Size(max = EnvironmentStatus.MAX_TIMELINE) List<TimelineEvent> timeline,
    @JsonPropertyDescription("What is going on now, or what went wrong, for people.")
        String message,
    @JsonPropertyDescription("Revision of the environment spec this status was computed from.")
        String specRevision,
    @JsonPropertyDescription(
            "The last branchyard.dev/rebuild request carried out (the annotation's value).")
        String rebuild) {

  /** A status without a carried-out rebuild request. */
  public EnvironmentStatus(
      Long observedGeneration,
      EnvironmentPhase phase,
      Integer queuePosition,
      String namespace,
      String url,
      List<String> urls,
      String expiresAt,
      List<ResolvedRef> resolvedRefs,
      List<ComponentStatus> components,
      List<Condition> conditions,
      List<TimelineEvent> timeline,
      String message,
      String specRevision) {
    this(
        observedGeneration,
        phase,
        queuePosition,
        namespace,
        url,
        urls,
        expiresAt,
        resolvedRefs,
        components,
        conditions,
        timeline,
        message,
        specRevision,
        null);
  }

  /** The timeline keeps at most this many entries; older ones are dropped first. */
  public static final int MAX_TIMELINE = 100;
}

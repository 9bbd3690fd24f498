package dev.branchyard.web;

import dev.branchyard.Pure;
import dev.branchyard.lifecycle.RefKind;
import dev.branchyard.web.EnvironmentPage.BuildRow;
import dev.branchyard.web.EnvironmentPage.ComponentRow;
import dev.branchyard.web.EnvironmentPage.EventRow;
import dev.branchyard.web.EnvironmentPage.ExpiryView;
import dev.branchyard.web.EnvironmentPage.PodRow;
import dev.branchyard.web.EnvironmentPage.TimelineRow;
import dev.branchyard.web.EnvironmentPage.TriggerView;
import dev.branchyard.web.EnvironmentView.ComponentView;
import dev.branchyard.web.EnvironmentView.TimelineEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Builds the {@link EnvironmentPage} of an environment from its read model ({@link
 * EnvironmentView}) and what runs in its namespace: pure, so it is tested without a cluster.
 */
@Pure
public final class EnvironmentPages {

  /** Events shown per component. */
  static final int EVENTS_PER_COMPONENT = 5;

  private EnvironmentPages() {}

  /**
   * @param view the environment
   * @param extendedTo an extension the controller has not taken up into {@code expiresAt} yet (the
   *     {@code branchyard.dev/expires-at} annotation), if any
   * @param workloads its pods and events
   * @param now the time the page is for
   */
  public static EnvironmentPage of(
      EnvironmentView view, Optional<Instant> extendedTo, Workloads workloads, Instant now) {
    List<ComponentRow> components =
        view.components().stream().map(c -> component(c, workloads, now)).toList();
    List<BuildRow> builds =
        components.stream()
            .filter(c -> c.imageBuild() != null)
            .map(
                c ->
                    new BuildRow(
                        c.name(),
                        c.imageBuild(),
                        Objects.requireNonNullElse(c.buildPhase(), "Pending"),
                        c.buildTone()))
            .toList();
    String phase = view.phase().name();
    List<String> urls =
        !view.urls().isEmpty() ? view.urls() : view.url() == null ? List.of() : List.of(view.url());
    return new EnvironmentPage(
        view.name(),
        Objects.requireNonNullElse(view.spec(), ""),
        phase,
        tone(phase),
        view.queuePosition() != null && view.message() == null
            ? "queued at position " + view.queuePosition()
            : view.message(),
        view.deleting(),
        trigger(view.trigger()),
        view.namespace(),
        view.createdAt() == null ? null : view.createdAt().toString(),
        HumanTime.age(view.createdAt(), now),
        expiry(view.expiresAt(), extendedTo, now),
        urls,
        components,
        timeline(view.timeline(), now),
        builds,
        builds.stream().map(BuildRow::name).collect(Collectors.joining(",")),
        workloads.problem());
  }

  /**
   * When the environment goes away: the later of the controller's {@code expiresAt} and an
   * extension it has not taken up yet.
   */
  static ExpiryView expiry(Instant recorded, Optional<Instant> extendedTo, Instant now) {
    Optional<Instant> at = Optional.ofNullable(recorded);
    boolean extended = false;
    if (extendedTo.isPresent() && (at.isEmpty() || extendedTo.get().isAfter(at.get()))) {
      at = extendedTo;
      extended = true;
    }
    return at.isEmpty()
        ? new ExpiryView(null, "not set yet", false)
        : new ExpiryView(at.get().toString(), HumanTime.relative(at.get(), now), extended);
  }

  private static TriggerView trigger(EnvironmentView.TriggerView t) {
    return new TriggerView(
        t.source() == null ? null : t.source().name(),
        t.repo(),
        CommitLinks.repository(t.repo()).orElse(null),
        t.pullRequest() == null ? null : "#" + t.pullRequest(),
        CommitLinks.pullRequest(t.repo(), t.pullRequest()).orElse(null),
        t.branch(),
        t.baseBranch(),
        t.headSha(),
        shortSha(t.headSha()),
        CommitLinks.commit(t.repo(), t.headSha()).orElse(null),
        t.author());
  }

  private static ComponentRow component(ComponentView c, Workloads workloads, Instant now) {
    String buildPhase = c.buildState() == null ? null : c.buildState().name();
    String deployPhase = c.deployState() == null ? null : c.deployState().name();
    return new ComponentRow(
        c.name(),
        c.repo(),
        c.refKind() == null ? null : refKind(c.refKind()),
        c.ref(),
        c.sha(),
        shortSha(c.sha()),
        CommitLinks.commit(c.repo(), c.sha()).orElse(null),
        c.why(),
        c.image(),
        c.imageBuild(),
        buildPhase,
        tone(buildPhase),
        deployPhase,
        tone(deployPhase),
        c.message(),
        workloads.pods().getOrDefault(c.name(), List.of()).stream()
            .map(EnvironmentPages::pod)
            .toList(),
        workloads.events().getOrDefault(c.name(), List.of()).stream()
            .limit(EVENTS_PER_COMPONENT)
            .map(e -> event(e, now))
            .toList());
  }

  private static PodRow pod(Workloads.PodState p) {
    return new PodRow(
        p.name(),
        p.phase(),
        p.readyContainers() + "/" + p.containers(),
        p.containers() > 0 && p.readyContainers() == p.containers(),
        p.restarts(),
        p.lastState());
  }

  private static EventRow event(Workloads.WorkloadEvent e, Instant now) {
    return new EventRow(
        e.time() == null ? null : e.time().toString(),
        HumanTime.age(e.time(), now),
        "Warning".equals(e.type()),
        e.reason(),
        e.object(),
        e.count() > 1 ? e.message() + " (x" + e.count() + ")" : e.message());
  }

  private static List<TimelineRow> timeline(List<TimelineEntry> entries, Instant now) {
    List<TimelineEntry> newestFirst = new ArrayList<>(entries);
    Collections.reverse(newestFirst);
    return newestFirst.stream()
        .map(
            e ->
                new TimelineRow(
                    e.time() == null ? null : e.time().toString(),
                    HumanTime.age(e.time(), now),
                    "Warning".equals(e.type()),
                    e.reason(),
                    e.message()))
        .toList();
  }

  static String refKind(RefKind kind) {
    return switch (kind) {
      case PullRequestHead -> "pull request head";
      case Branch -> "branch";
      case Tag -> "tag";
      case Commit -> "commit";
    };
  }

  /** The colour class of a phase of an environment, a build or a deploy. */
  public static String tone(String phase) {
    if (phase == null) {
      return "idle";
    }
    return switch (phase) {
      case "Ready", "Succeeded", "Skipped" -> "ok";
      case "Failed", "Cancelled" -> "bad";
      case "Deleting" -> "gone";
      default -> "busy";
    };
  }

  private static String shortSha(String sha) {
    return sha == null ? null : sha.substring(0, Math.min(7, sha.length()));
  }
}

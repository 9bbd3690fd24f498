package dev.branchyard.deploy;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Decides readiness from one live object's status, and why a pod is not ready, without asking the
 * cluster: the rules {@code kubectl rollout status} uses, plus Job and claim outcomes. Works on the
 * fabric8 model, so it is not {@code @Pure}; tests build the objects with the model's builders.
 */
final class ReadinessRules {

  private static final String TRUE = "True";

  private ReadinessRules() {}

  /** The state of one object. */
  enum State {
    READY,
    /** May still become ready. */
    PENDING,
    /** Will not become ready without a change. */
    FAILED
  }

  /**
   * A verdict; {@code reason} and {@code message} are empty for {@link State#READY}.
   *
   * @param reason short CamelCase reason
   * @param message for people
   */
  record Verdict(State state, String reason, String message) {

    static final Verdict READY = new Verdict(State.READY, "", "");

    static Verdict pending(String reason, String message) {
      return new Verdict(State.PENDING, reason, message);
    }

    static Verdict failed(String reason, String message) {
      return new Verdict(State.FAILED, reason, message);
    }

    boolean ready() {
      return state == State.READY;
    }
  }

  /**
   * Why one pod is not ready: a CamelCase reason (e.g. {@code ImagePullBackOff}) and a sentence.
   */
  record PodProblem(String reason, String message) {}

  static Verdict deployment(Deployment deployment) {
    DeploymentStatus status = deployment.getStatus();
    long generation = orZero(deployment.getMetadata().getGeneration());
    if (status == null || orZero(status.getObservedGeneration()) < generation) {
      return notObserved("deployment", generation);
    }
    int replicas =
        replicas(deployment.getSpec() == null ? null : deployment.getSpec().getReplicas());
    List<DeploymentCondition> conditions =
        Objects.requireNonNullElse(status.getConditions(), List.of());
    Optional<DeploymentCondition> progressing = condition(conditions, "Progressing");
    if (progressing.filter(c -> "ProgressDeadlineExceeded".equals(c.getReason())).isPresent()) {
      return Verdict.failed("ProgressDeadlineExceeded", progressing.get().getMessage());
    }
    int updated = orZero(status.getUpdatedReplicas());
    int available = orZero(status.getAvailableReplicas());
    int current = orZero(status.getReplicas());
    String counts = updated + " of " + replicas + " replicas updated, " + available + " available";
    Optional<DeploymentCondition> replicaFailure =
        condition(conditions, "ReplicaFailure").filter(c -> TRUE.equals(c.getStatus()));
    if (replicaFailure.isPresent()) {
      return Verdict.pending(
          Objects.requireNonNullElse(replicaFailure.get().getReason(), "ReplicaFailure"),
          counts + "; " + replicaFailure.get().getMessage());
    }
    if (updated != replicas) {
      return Verdict.pending("RolloutInProgress", counts);
    }
    if (current > updated) {
      return Verdict.pending(
          "OldReplicasTerminating", counts + ", " + (current - updated) + " old still running");
    }
    if (available != replicas) {
      return Verdict.pending("ReplicasUnavailable", counts);
    }
    Optional<DeploymentCondition> availableCondition = condition(conditions, "Available");
    if (availableCondition.filter(c -> TRUE.equals(c.getStatus())).isEmpty()) {
      return Verdict.pending(
          "Unavailable", counts + availableCondition.map(c -> "; " + c.getMessage()).orElse(""));
    }
    return Verdict.READY;
  }

  static Verdict statefulSet(StatefulSet statefulSet) {
    StatefulSetStatus status = statefulSet.getStatus();
    long generation = orZero(statefulSet.getMetadata().getGeneration());
    if (status == null || orZero(status.getObservedGeneration()) < generation) {
      return notObserved("statefulset", generation);
    }
    int replicas =
        replicas(statefulSet.getSpec() == null ? null : statefulSet.getSpec().getReplicas());
    int ready = orZero(status.getReadyReplicas());
    if (ready != replicas) {
      return Verdict.pending("ReplicasNotReady", ready + " of " + replicas + " replicas ready");
    }
    boolean onDelete =
        statefulSet.getSpec() != null
            && statefulSet.getSpec().getUpdateStrategy() != null
            && "OnDelete".equals(statefulSet.getSpec().getUpdateStrategy().getType());
    if (!onDelete
        && status.getUpdateRevision() != null
        && !status.getUpdateRevision().equals(status.getCurrentRevision())) {
      return Verdict.pending(
          "RolloutInProgress",
          orZero(status.getUpdatedReplicas())
              + " of "
              + replicas
              + " replicas at revision "
              + status.getUpdateRevision());
    }
    return Verdict.READY;
  }

  static Verdict daemonSet(DaemonSet daemonSet) {
    DaemonSetStatus status = daemonSet.getStatus();
    long generation = orZero(daemonSet.getMetadata().getGeneration());
    if (status == null || orZero(status.getObservedGeneration()) < generation) {
      return notObserved("daemonset", generation);
    }
    int desired = orZero(status.getDesiredNumberScheduled());
    int updated = orZero(status.getUpdatedNumberScheduled());
    int ready = orZero(status.getNumberReady());
    if (updated != desired) {
      return Verdict.pending(
          "RolloutInProgress", updated + " of " + desired + " scheduled pods updated");
    }
    if (ready != desired) {
      return Verdict.pending("PodsNotReady", ready + " of " + desired + " scheduled pods ready");
    }
    return Verdict.READY;
  }

  static Verdict job(Job job) {
    List<JobCondition> conditions =
        job.getStatus() == null || job.getStatus().getConditions() == null
            ? List.of()
            : job.getStatus().getConditions();
    Optional<JobCondition> failed =
        conditions.stream()
            .filter(c -> "Failed".equals(c.getType()) && TRUE.equals(c.getStatus()))
            .findFirst();
    if (failed.isPresent()) {
      return Verdict.failed(
          Objects.requireNonNullElse(failed.get().getReason(), "JobFailed"),
          Objects.requireNonNullElse(failed.get().getMessage(), "the job failed"));
    }
    if (conditions.stream()
        .anyMatch(c -> "Complete".equals(c.getType()) && TRUE.equals(c.getStatus()))) {
      return Verdict.READY;
    }
    var status = job.getStatus();
    return Verdict.pending(
        "JobRunning",
        "not complete yet: "
            + (status == null ? 0 : orZero(status.getActive()))
            + " active, "
            + (status == null ? 0 : orZero(status.getSucceeded()))
            + " succeeded, "
            + (status == null ? 0 : orZero(status.getFailed()))
            + " failed");
  }

  /** A pod Branchyard rendered itself (not one of a workload's). */
  static Verdict pod(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if ("Succeeded".equals(phase)) {
      return Verdict.READY;
    }
    Optional<PodProblem> problem = problem(pod);
    if ("Failed".equals(phase)) {
      return Verdict.failed(
          problem.map(PodProblem::reason).orElse("PodFailed"),
          problem.map(PodProblem::message).orElse("pod failed"));
    }
    return problem.map(p -> Verdict.pending(p.reason(), p.message())).orElse(Verdict.READY);
  }

  static Verdict persistentVolumeClaim(PersistentVolumeClaim claim) {
    String phase = claim.getStatus() == null ? null : claim.getStatus().getPhase();
    if ("Bound".equals(phase)) {
      return Verdict.READY;
    }
    if ("Lost".equals(phase)) {
      return Verdict.failed("ClaimLost", "the claim's volume is gone");
    }
    return Verdict.pending("ClaimPending", "not bound to a volume yet");
  }

  /**
   * Why {@code pod} is not ready, most specific first: a container that cannot start or keeps
   * stopping, then scheduling, then the pod's phase and Ready condition; empty when it is ready.
   */
  static Optional<PodProblem> problem(Pod pod) {
    var status = pod.getStatus();
    String name = pod.getMetadata().getName();
    String phase = status == null || status.getPhase() == null ? "Unknown" : status.getPhase();
    List<PodCondition> conditions =
        status == null || status.getConditions() == null ? List.of() : status.getConditions();
    if ("Succeeded".equals(phase) || ("Running".equals(phase) && isTrue(conditions, "Ready"))) {
      return Optional.empty();
    }
    String prefix = "pod " + name + " (" + phase + "): ";
    List<ContainerStatus> containers = new ArrayList<>();
    if (status != null) {
      containers.addAll(Objects.requireNonNullElse(status.getInitContainerStatuses(), List.of()));
      containers.addAll(Objects.requireNonNullElse(status.getContainerStatuses(), List.of()));
    }
    for (ContainerStatus container : containers) {
      Optional<PodProblem> trouble = containerTrouble(container);
      if (trouble.isPresent()) {
        return Optional.of(
            new PodProblem(trouble.get().reason(), prefix + trouble.get().message()));
      }
    }
    Optional<PodCondition> scheduled =
        conditions.stream().filter(c -> "PodScheduled".equals(c.getType())).findFirst();
    if (scheduled.filter(c -> !TRUE.equals(c.getStatus())).isPresent()) {
      PodCondition c = scheduled.get();
      return Optional.of(
          new PodProblem(
              Objects.requireNonNullElse(c.getReason(), "Unscheduled"),
              prefix + "not scheduled: " + Objects.requireNonNullElse(c.getMessage(), "")));
    }
    if ("Failed".equals(phase) || "Unknown".equals(phase)) {
      String reason =
          status == null || status.getReason() == null ? "Pod" + phase : status.getReason();
      String message = status == null ? null : status.getMessage();
      return Optional.of(
          new PodProblem(reason, prefix + Objects.requireNonNullElse(message, reason)));
    }
    for (ContainerStatus container : containers) {
      ContainerState state = container.getState();
      if (state != null && state.getWaiting() != null) {
        String reason = Objects.requireNonNullElse(state.getWaiting().getReason(), "Waiting");
        return Optional.of(
            new PodProblem(reason, prefix + "container " + container.getName() + " " + reason));
      }
    }
    Optional<PodCondition> ready =
        conditions.stream().filter(c -> "Ready".equals(c.getType())).findFirst();
    String reason = ready.map(PodCondition::getReason).orElse("PodNotReady");
    String message = ready.map(PodCondition::getMessage).orElse("not ready");
    return Optional.of(new PodProblem(reason == null ? "PodNotReady" : reason, prefix + message));
  }

  /** A container that cannot start, or stopped: waiting with a reason other than starting up. */
  private static Optional<PodProblem> containerTrouble(ContainerStatus container) {
    ContainerState state = container.getState();
    if (state == null) {
      return Optional.empty();
    }
    String lastExit = lastTermination(container);
    if (state.getWaiting() != null
        && state.getWaiting().getReason() != null
        && !Set.of("ContainerCreating", "PodInitializing")
            .contains(state.getWaiting().getReason())) {
      String reason = state.getWaiting().getReason();
      String message = state.getWaiting().getMessage();
      return Optional.of(
          new PodProblem(
              reason,
              "container "
                  + container.getName()
                  + " waiting: "
                  + reason
                  + (message == null ? "" : ": " + message)
                  + lastExit));
    }
    var terminated = state.getTerminated();
    if (terminated != null
        && !(orZero(terminated.getExitCode()) == 0 && "Completed".equals(terminated.getReason()))) {
      String reason = Objects.requireNonNullElse(terminated.getReason(), "Terminated");
      return Optional.of(
          new PodProblem(
              reason,
              "container "
                  + container.getName()
                  + " terminated: "
                  + reason
                  + " (exit code "
                  + orZero(terminated.getExitCode())
                  + ")"
                  + (terminated.getMessage() == null ? "" : ": " + terminated.getMessage())));
    }
    return Optional.empty();
  }

  private static String lastTermination(ContainerStatus container) {
    var last = container.getLastState() == null ? null : container.getLastState().getTerminated();
    if (last == null) {
      return "";
    }
    return "; last exit: "
        + Objects.requireNonNullElse(last.getReason(), "Terminated")
        + " (exit code "
        + orZero(last.getExitCode())
        + ")"
        + (last.getMessage() == null ? "" : ": " + last.getMessage());
  }

  /**
   * The pod to explain among a workload's pods: the newest one that is not ready (a rollout's new
   * pods matter more than the old ones), ignoring pods on their way out.
   */
  static Optional<Pod> firstNotReady(List<Pod> pods) {
    return pods.stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> problem(p).isPresent())
        .min(
            Comparator.comparing((Pod p) -> instant(p.getMetadata().getCreationTimestamp()))
                .reversed()
                .thenComparing(p -> p.getMetadata().getName()));
  }

  /** The {@code limit} most recent distinct Warning events, newest first, as "Reason: message". */
  static List<String> recentWarnings(List<Event> events, int limit) {
    Set<String> lines = new LinkedHashSet<>();
    events.stream()
        .filter(e -> "Warning".equals(e.getType()))
        .sorted(Comparator.comparing(ReadinessRules::eventTime).reversed())
        .map(e -> e.getReason() + ": " + Objects.requireNonNullElse(e.getMessage(), "").strip())
        .forEach(lines::add);
    return lines.stream().limit(limit).toList();
  }

  private static Instant eventTime(Event event) {
    return Stream.of(
            event.getLastTimestamp(),
            event.getSeries() == null || event.getSeries().getLastObservedTime() == null
                ? null
                : event.getSeries().getLastObservedTime().getTime(),
            event.getEventTime() == null ? null : event.getEventTime().getTime(),
            event.getFirstTimestamp(),
            event.getMetadata() == null ? null : event.getMetadata().getCreationTimestamp())
        .filter(Objects::nonNull)
        .map(ReadinessRules::instant)
        .filter(i -> !i.equals(Instant.EPOCH))
        .findFirst()
        .orElse(Instant.EPOCH);
  }

  private static Instant instant(String timestamp) {
    if (timestamp == null) {
      return Instant.EPOCH;
    }
    try {
      return Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }

  private static Verdict notObserved(String controller, long generation) {
    return Verdict.pending(
        "NotObserved",
        "the " + controller + " controller has not acted on generation " + generation + " yet");
  }

  private static Optional<DeploymentCondition> condition(
      List<DeploymentCondition> conditions, String type) {
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  private static boolean isTrue(List<PodCondition> conditions, String type) {
    return conditions.stream()
        .anyMatch(c -> type.equals(c.getType()) && TRUE.equals(c.getStatus()));
  }

  private static int replicas(Integer specified) {
    return specified == null ? 1 : specified;
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }
}

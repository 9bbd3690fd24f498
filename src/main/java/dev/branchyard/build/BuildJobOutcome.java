package dev.branchyard.build;

import dev.branchyard.Pure;
import dev.branchyard.build.BuildJobState.ContainerState;
import dev.branchyard.build.BuildResult.Failed;
import dev.branchyard.build.BuildResult.Reason;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Why a build Job failed, worded for the user: the Job's condition and the exit codes of {@link
 * BuildJobSpec}'s scripts tell a broken Dockerfile from a broken registry, git server or node.
 */
@Pure
final class BuildJobOutcome {

  /** The Job controller's reason when {@code activeDeadlineSeconds} passed. */
  static final String DEADLINE_EXCEEDED = "DeadlineExceeded";

  /** Waiting reasons that are steps of a normal start, not problems worth reporting. */
  private static final Set<String> STARTING = Set.of("", "ContainerCreating", "PodInitializing");

  private BuildJobOutcome() {}

  /**
   * Why a Job that ended {@code FAILED} failed.
   *
   * @param buildTail the last lines of the build container's log, masked
   * @param fetchTail the last lines of the fetch container's log, masked; read only when it failed
   */
  static Failed ofFailedJob(
      BuildJobState state,
      BuildRequest request,
      Duration timeout,
      List<String> buildTail,
      List<String> fetchTail) {
    if (DEADLINE_EXCEEDED.equals(state.reason())) {
      return BuildFailures.failed(
          Reason.TIMEOUT,
          "the build took longer than branchyard.build.timeout=" + timeout + waiting(state),
          buildTail);
    }
    Optional<ContainerState> fetch =
        state.container(BuildJobSpec.FETCH_CONTAINER).filter(ContainerState::failed);
    if (fetch.isPresent()) {
      return BuildFailures.failed(
          Reason.INFRASTRUCTURE,
          "fetching commit "
              + request.commitSha()
              + " of "
              + request.repo()
              + " failed (exit "
              + fetch.get().exitCode()
              + ")",
          fetchTail);
    }
    Optional<ContainerState> build =
        state.container(BuildJobSpec.BUILD_CONTAINER).filter(ContainerState::failed);
    if (build.isPresent()) {
      return ofBuildContainer(build.get(), request, buildTail);
    }
    String condition =
        state.reason().isEmpty()
            ? ""
            : " ("
                + state.reason()
                + (state.message().isEmpty() ? "" : ": " + state.message())
                + ")";
    return BuildFailures.failed(
        Reason.INFRASTRUCTURE,
        "the build Job of " + request.target() + " failed" + condition + waiting(state),
        buildTail);
  }

  private static Failed ofBuildContainer(
      ContainerState build, BuildRequest request, List<String> tail) {
    if ("OOMKilled".equals(build.reason())) {
      return BuildFailures.failed(
          Reason.INFRASTRUCTURE,
          "the build of "
              + request.target()
              + " ran out of memory (OOMKilled); raise"
              + " branchyard.build.job.resources.limits.memory",
          tail);
    }
    if (build.exitCode() == BuildJobSpec.EXIT_BUD_FAILED) {
      return BuildFailures.failed(
          BuildFailures.ofBud(tail), "buildah bud failed for " + request.target(), tail);
    }
    if (build.exitCode() == BuildJobSpec.EXIT_PUSH_FAILED) {
      return BuildFailures.failed(
          Reason.INFRASTRUCTURE,
          "buildah push to " + request.target().registry() + " failed",
          tail);
    }
    return BuildFailures.failed(
        Reason.INFRASTRUCTURE,
        "the build container of "
            + request.target()
            + " exited with code "
            + build.exitCode()
            + (build.reason().isEmpty() ? "" : " (" + build.reason() + ")"),
        tail);
  }

  /**
   * Branchyard's own deadline passed ({@code timeout} plus a grace) and the Job had not ended: its
   * deadline did not fire, e.g. because an earlier Branchyard created it with a longer one.
   */
  static Failed ofOverdueJob(
      BuildJobState state, String jobName, Duration timeout, List<String> tail) {
    return BuildFailures.failed(
        Reason.TIMEOUT,
        "the build took longer than branchyard.build.timeout="
            + timeout
            + "; its Job "
            + jobName
            + " had not ended and was deleted"
            + waiting(state),
        tail);
  }

  /**
   * The containers that wait for something other than a normal start, as {@code name: reason
   * (message)}, e.g. {@code fetch: ImagePullBackOff (Back-off pulling image "...")}.
   */
  static List<String> problems(List<ContainerState> containers) {
    return containers.stream()
        .filter(c -> c.state() == ContainerState.State.WAITING && !STARTING.contains(c.reason()))
        .map(
            c ->
                c.name()
                    + ": "
                    + c.reason()
                    + (c.message().isEmpty() ? "" : " (" + c.message() + ")"))
        .toList();
  }

  private static String waiting(BuildJobState state) {
    List<String> problems = problems(state.containers());
    return problems.isEmpty() ? "" : "; the pod was waiting: " + String.join("; ", problems);
  }
}

package dev.branchyard.build;

import dev.branchyard.Pure;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What Branchyard saw of a build Job: whether it has ended, and its pod's containers as last seen
 * (a Job past its deadline loses its pod, so the last sighting is what explains it).
 *
 * @param phase whether the Job is still running, or how it ended
 * @param reason the reason of the {@code Complete} or {@code Failed} condition, e.g. {@code
 *     DeadlineExceeded}; empty while active
 * @param message that condition's message; empty while active
 * @param containers the fetch and build containers of the Job's pod, as last seen; empty if no pod
 *     was seen
 */
@Pure
record BuildJobState(Phase phase, String reason, String message, List<ContainerState> containers) {

  BuildJobState {
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
    containers = List.copyOf(containers);
  }

  /** How far a Job has got. */
  enum Phase {
    ACTIVE,
    COMPLETE,
    FAILED
  }

  Optional<ContainerState> container(String name) {
    return containers.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /**
   * One container of the build pod.
   *
   * @param name the container's name
   * @param state waiting, running or terminated
   * @param reason why it waits ({@code ImagePullBackOff}) or ended ({@code Error}, {@code
   *     OOMKilled}); may be empty
   * @param message the kubelet's message about it; may be empty
   * @param exitCode the exit code once terminated; 0 otherwise
   */
  @Pure
  record ContainerState(String name, State state, String reason, String message, int exitCode) {

    ContainerState {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
    }

    enum State {
      WAITING,
      RUNNING,
      TERMINATED
    }

    boolean failed() {
      return state == State.TERMINATED && exitCode != 0;
    }
  }
}

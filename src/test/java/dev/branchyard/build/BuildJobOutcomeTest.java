package dev.branchyard.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.build.BuildJobState.ContainerState;
import dev.branchyard.build.BuildJobState.ContainerState.State;
import dev.branchyard.build.BuildJobState.Phase;
import dev.branchyard.build.BuildResult.Failed;
import dev.branchyard.build.BuildResult.Reason;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuildJobOutcomeTest {

  private static final BuildRequest REQUEST =
      new BuildRequest(
          "acme/api",
          "a".repeat(40),
          "Dockerfile",
          ".",
          Map.of(),
          new ImageRef("registry.example.com", "acme/api", "t1"));
  private static final Duration TIMEOUT = Duration.ofMinutes(30);
  private static final List<String> BUILD_TAIL = List.of("STEP 2/3: RUN make", "make: *** Error 2");
  private static final List<String> FETCH_TAIL =
      List.of("fatal: remote error: upload-pack: not our ref");

  private static ContainerState terminated(String name, int exit, String reason) {
    return new ContainerState(name, State.TERMINATED, reason, "", exit);
  }

  private static ContainerState waiting(String name, String reason, String message) {
    return new ContainerState(name, State.WAITING, reason, message, 0);
  }

  private static Failed failed(String reason, ContainerState... containers) {
    return BuildJobOutcome.ofFailedJob(
        new BuildJobState(Phase.FAILED, reason, "", List.of(containers)),
        REQUEST,
        TIMEOUT,
        BUILD_TAIL,
        FETCH_TAIL);
  }

  @Test
  void jobPastItsDeadlineIsATimeoutNamingTheSetting() {
    Failed failed =
        failed("DeadlineExceeded", new ContainerState("build", State.RUNNING, "", "", 0));

    assertThat(failed.reason()).isEqualTo(Reason.TIMEOUT);
    assertThat(failed.message())
        .startsWith("the build took longer than branchyard.build.timeout=PT30M")
        .contains("make: *** Error 2");
  }

  @Test
  void timeoutSaysWhatThePodWasWaitingFor() {
    Failed failed =
        failed(
            "DeadlineExceeded",
            waiting("fetch", "ImagePullBackOff", "Back-off pulling image \"alpine/git:nope\""),
            waiting("build", "PodInitializing", ""));

    assertThat(failed.message())
        .contains(
            "the pod was waiting: fetch: ImagePullBackOff (Back-off pulling image"
                + " \"alpine/git:nope\")")
        .doesNotContain("PodInitializing");
  }

  @Test
  void failedFetchIsInfrastructureWithGitsOwnWords() {
    Failed failed =
        failed(
            "BackoffLimitExceeded", terminated("fetch", BuildJobSpec.EXIT_FETCH_FAILED, "Error"));

    assertThat(failed.reason()).isEqualTo(Reason.INFRASTRUCTURE);
    assertThat(failed.message())
        .startsWith("fetching commit " + "a".repeat(40) + " of acme/api failed (exit 10)")
        .contains("not our ref")
        .doesNotContain("make: ***");
  }

  @Test
  void failedBudIsTheDockerfilesFault() {
    Failed failed =
        failed(
            "BackoffLimitExceeded",
            terminated("fetch", 0, "Completed"),
            terminated("build", BuildJobSpec.EXIT_BUD_FAILED, "Error"));

    assertThat(failed.reason()).isEqualTo(Reason.DOCKERFILE);
    assertThat(failed.message())
        .startsWith("buildah bud failed for registry.example.com/acme/api:t1")
        .contains("make: *** Error 2");
  }

  @Test
  void failedBudThatCouldNotPullItsBaseImageIsInfrastructure() {
    Failed failed =
        BuildJobOutcome.ofFailedJob(
            new BuildJobState(
                Phase.FAILED,
                "BackoffLimitExceeded",
                "",
                List.of(terminated("build", BuildJobSpec.EXIT_BUD_FAILED, "Error"))),
            REQUEST,
            TIMEOUT,
            List.of("Error: creating build container: pinging container registry docker.io: i/o"),
            List.of());

    assertThat(failed.reason()).isEqualTo(Reason.INFRASTRUCTURE);
  }

  @Test
  void failedPushIsInfrastructure() {
    Failed failed =
        failed("BackoffLimitExceeded", terminated("build", BuildJobSpec.EXIT_PUSH_FAILED, "Error"));

    assertThat(failed.reason()).isEqualTo(Reason.INFRASTRUCTURE);
    assertThat(failed.message()).startsWith("buildah push to registry.example.com failed");
  }

  @Test
  void outOfMemoryIsInfrastructureNamingTheLimit() {
    Failed failed = failed("BackoffLimitExceeded", terminated("build", 137, "OOMKilled"));

    assertThat(failed.reason()).isEqualTo(Reason.INFRASTRUCTURE);
    assertThat(failed.message())
        .contains("OOMKilled")
        .contains("branchyard.build.job.resources.limits.memory");
  }

  @Test
  void otherExitCodesAreInfrastructure() {
    Failed failed = failed("BackoffLimitExceeded", terminated("build", 1, "Error"));

    assertThat(failed.reason()).isEqualTo(Reason.INFRASTRUCTURE);
    assertThat(failed.message()).contains("exited with code 1 (Error)");
  }

  @Test
  void failureWithoutAnEndedContainerIsInfrastructureWithTheJobsReason() {
    Failed failed =
        BuildJobOutcome.ofFailedJob(
            new BuildJobState(
                Phase.FAILED,
                "BackoffLimitExceeded",
                "Job has reached the specified backoff limit",
                List.of(
                    waiting(
                        "build",
                        "CreateContainerConfigError",
                        "secret \"build-secrets\" not found"))),
            REQUEST,
            TIMEOUT,
            List.of(),
            List.of());

    assertThat(failed.reason()).isEqualTo(Reason.INFRASTRUCTURE);
    assertThat(failed.message())
        .isEqualTo(
            "the build Job of registry.example.com/acme/api:t1 failed (BackoffLimitExceeded: Job"
                + " has reached the specified backoff limit); the pod was waiting: build:"
                + " CreateContainerConfigError (secret \"build-secrets\" not found)");
  }

  @Test
  void overdueJobIsATimeoutSayingItWasDeleted() {
    Failed failed =
        BuildJobOutcome.ofOverdueJob(
            new BuildJobState(Phase.ACTIVE, "", "", List.of()), "build-api-1", TIMEOUT, List.of());

    assertThat(failed.reason()).isEqualTo(Reason.TIMEOUT);
    assertThat(failed.message())
        .isEqualTo(
            "the build took longer than branchyard.build.timeout=PT30M; its Job build-api-1 had"
                + " not ended and was deleted");
  }

  @Test
  void normalStartIsNoProblem() {
    assertThat(
            BuildJobOutcome.problems(
                List.of(
                    waiting("fetch", "ContainerCreating", ""),
                    waiting("build", "PodInitializing", ""),
                    new ContainerState("x", State.RUNNING, "", "", 0))))
        .isEmpty();
  }
}

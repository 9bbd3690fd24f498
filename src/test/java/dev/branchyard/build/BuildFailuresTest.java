package dev.branchyard.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.build.BuildResult.Failed;
import dev.branchyard.build.BuildResult.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;

class BuildFailuresTest {

  @Test
  void aFailingBudIsTheDockerfilesFault() {
    assertThat(
            BuildFailures.ofBud(
                List.of(
                    "STEP 2/3: COPY missing-file /",
                    "Error: error building at STEP \"COPY missing-file /\": checking on sources"
                        + " under \"/w/src\": copier: stat: \"/missing-file\": no such file or"
                        + " directory")))
        .isEqualTo(Reason.DOCKERFILE);
  }

  @Test
  void aBudThatCannotReachTheBaseImageRegistryIsAnInfrastructureFailure() {
    assertThat(
            BuildFailures.ofBud(
                List.of(
                    "STEP 1/2: FROM registry.lan/base:1",
                    "Error: initializing source docker://registry.lan/base:1: pinging container"
                        + " registry registry.lan: Get \"https://registry.lan/v2/\": dial tcp:"
                        + " connect: connection refused")))
        .isEqualTo(Reason.INFRASTRUCTURE);
  }

  @Test
  void onlyInfrastructureFailuresAreRetryable() {
    assertThat(Reason.INFRASTRUCTURE.retryable()).isTrue();
    assertThat(Reason.DOCKERFILE.retryable()).isFalse();
    assertThat(Reason.TIMEOUT.retryable()).isFalse();
    assertThat(Reason.CANCELLED.retryable()).isFalse();
  }

  @Test
  void theMessageCarriesTheOutputTail() {
    Failed failed =
        BuildFailures.failed(Reason.DOCKERFILE, "buildah bud failed", List.of("a", "b"));

    assertThat(failed.message()).isEqualTo("buildah bud failed\nlast 2 lines of output:\na\nb");
    assertThat(BuildFailures.failed(Reason.TIMEOUT, "too slow", List.of()).message())
        .isEqualTo("too slow");
  }
}

package dev.branchyard.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.branchyard.build.BuildJobState.ContainerState;
import dev.branchyard.build.BuildJobState.ContainerState.State;
import dev.branchyard.build.BuildJobState.Phase;
import dev.branchyard.git.RepoLocator;
import dev.branchyard.testing.TestBuildConfig;
import dev.branchyard.testing.TestGitConfig;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How {@link KubernetesJobBuilder} reads Jobs and pods, and what it needs to start. */
class KubernetesJobBuilderTest {

  private static Job jobWithCondition(String type, String status, String reason) {
    return new JobBuilder()
        .withNewStatus()
        .addNewCondition()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage("m")
        .endCondition()
        .endStatus()
        .build();
  }

  @Test
  void jobWithoutATrueEndConditionIsActive() {
    assertThat(KubernetesJobBuilder.stateOf(new Job(), List.of()).phase()).isEqualTo(Phase.ACTIVE);
    assertThat(
            KubernetesJobBuilder.stateOf(jobWithCondition("Failed", "False", "x"), List.of())
                .phase())
        .isEqualTo(Phase.ACTIVE);
  }

  @Test
  void completeAndFailedConditionsEndTheJobWithTheirReason() {
    BuildJobState complete =
        KubernetesJobBuilder.stateOf(jobWithCondition("Complete", "True", null), List.of());
    BuildJobState failed =
        KubernetesJobBuilder.stateOf(
            jobWithCondition("Failed", "True", "DeadlineExceeded"), List.of());

    assertThat(complete.phase()).isEqualTo(Phase.COMPLETE);
    assertThat(complete.reason()).isEmpty();
    assertThat(failed.phase()).isEqualTo(Phase.FAILED);
    assertThat(failed.reason()).isEqualTo("DeadlineExceeded");
    assertThat(failed.message()).isEqualTo("m");
  }

  @Test
  void readsInitAndAppContainerStatesFromThePod() {
    Pod pod =
        new PodBuilder()
            .withNewStatus()
            .withInitContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("fetch")
                    .withNewState()
                    .withNewTerminated()
                    .withExitCode(10)
                    .withReason("Error")
                    .endTerminated()
                    .endState()
                    .build())
            .withContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("build")
                    .withNewState()
                    .withNewWaiting()
                    .withReason("PodInitializing")
                    .endWaiting()
                    .endState()
                    .build())
            .endStatus()
            .build();

    assertThat(KubernetesJobBuilder.containerStates(pod))
        .containsExactly(
            new ContainerState("fetch", State.TERMINATED, "Error", "", 10),
            new ContainerState("build", State.WAITING, "PodInitializing", "", 0));
    assertThat(KubernetesJobBuilder.containerStates(new Pod())).isEmpty();
  }

  @Test
  void refusesAClientWithoutANamespace() {
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:9").build();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      assertThatThrownBy(
              () ->
                  new KubernetesJobBuilder(
                      client,
                      image -> Optional.empty(),
                      new RepoLocator(TestGitConfig.defaults()),
                      TestBuildConfig.defaults(),
                      Clock.systemUTC()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("quarkus.kubernetes-client.namespace");
    }
  }
}

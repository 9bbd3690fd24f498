package dev.branchyard.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.deploy.EnvironmentLabels;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class KubernetesEnvironmentWorkloadsTest {

  private static Pod pod(String name, String component, String replicaSet, boolean ready) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels(EnvironmentLabels.COMPONENT, component)
        .addNewOwnerReference()
        .withKind("ReplicaSet")
        .withName(replicaSet)
        .withApiVersion("apps/v1")
        .withUid("u")
        .endOwnerReference()
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .withContainerStatuses(
            new ContainerStatusBuilder()
                .withName("app")
                .withReady(ready)
                .withRestartCount(ready ? 0 : 3)
                .withNewState()
                .withNewWaiting()
                .withReason(ready ? null : "CrashLoopBackOff")
                .endWaiting()
                .endState()
                .withNewLastState()
                .withNewTerminated()
                .withReason("OOMKilled")
                .withExitCode(137)
                .endTerminated()
                .endLastState()
                .build())
        .endStatus()
        .build();
  }

  private static Event event(String kind, String name, String reason, String time) {
    return new EventBuilder()
        .withNewMetadata()
        .withName(name + "." + reason)
        .endMetadata()
        .withNewInvolvedObject()
        .withKind(kind)
        .withName(name)
        .endInvolvedObject()
        .withType("Warning")
        .withReason(reason)
        .withMessage(reason + " happened")
        .withLastTimestamp(time)
        .withCount(2)
        .build();
  }

  @Test
  void groupsPodsByComponentWithReadinessRestartsAndWhyTheyWait() {
    Workloads workloads =
        KubernetesEnvironmentWorkloads.workloads(
            List.of(
                pod("web-5d8f-aaaaa", "web", "web-5d8f", false),
                pod("api-77c9-bbbbb", "api", "api-77c9", true)),
            List.of());

    Workloads.PodState web = workloads.pods().get("web").get(0);
    assertThat(web.readyContainers()).isZero();
    assertThat(web.containers()).isEqualTo(1);
    assertThat(web.restarts()).isEqualTo(3);
    assertThat(web.lastState()).isEqualTo("app: waiting, CrashLoopBackOff");
    Workloads.PodState api = workloads.pods().get("api").get(0);
    assertThat(api.lastState()).isEqualTo("app: last ended OOMKilled (exit 137)");
  }

  @Test
  void givesEventsToTheComponentOfTheirPodReplicaSetOrDeploymentNewestFirst() {
    Workloads workloads =
        KubernetesEnvironmentWorkloads.workloads(
            List.of(pod("web-5d8f-aaaaa", "web", "web-5d8f", false)),
            List.of(
                event("Pod", "web-5d8f-aaaaa", "BackOff", "2026-12-02T07:00:10Z"),
                event("Deployment", "web", "ScalingReplicaSet", "2026-12-02T07:00:20Z"),
                event("ReplicaSet", "web-5d8f", "SuccessfulCreate", "2026-12-02T07:00:05Z"),
                event("Pod", "someone-else", "Pulled", "2026-12-02T07:00:30Z")));

    assertThat(workloads.events().get("web"))
        .extracting(Workloads.WorkloadEvent::reason)
        .containsExactly("ScalingReplicaSet", "BackOff", "SuccessfulCreate");
    assertThat(workloads.events().get("web").get(1).object()).isEqualTo("Pod/web-5d8f-aaaaa");
    assertThat(workloads.events()).doesNotContainKey("someone-else");
  }
}

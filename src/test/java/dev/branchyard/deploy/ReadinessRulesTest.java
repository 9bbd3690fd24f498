package dev.branchyard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.deploy.ReadinessRules.PodProblem;
import dev.branchyard.deploy.ReadinessRules.State;
import dev.branchyard.deploy.ReadinessRules.Verdict;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.MicroTimeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategyBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The status rules of {@link ReadinessRules}, on objects built as the controllers report them. */
class ReadinessRulesTest {

  // Deployments

  @Test
  void rolledOutAvailableDeploymentIsReady() {
    assertThat(ReadinessRules.deployment(deployment(2, 3, 3, 3, 3, "True")).ready()).isTrue();
  }

  @Test
  void deploymentWithoutReplicasDefaultsToOne() {
    Deployment d = new DeploymentBuilder(deployment(1, 1, 1, 1, 1, "True")).build();
    d.getSpec().setReplicas(null);

    assertThat(ReadinessRules.deployment(d).ready()).isTrue();
  }

  @Test
  void deploymentNotYetObservedAtItsGenerationIsPending() {
    Deployment d = deployment(3, 1, 1, 1, 1, "True");
    d.getStatus().setObservedGeneration(2L);

    Verdict verdict = ReadinessRules.deployment(d);

    assertThat(verdict.state()).isEqualTo(State.PENDING);
    assertThat(verdict.reason()).isEqualTo("NotObserved");
    assertThat(verdict.message()).contains("generation 3");
  }

  @Test
  void deploymentWithoutStatusIsPending() {
    Deployment d = deployment(1, 1, 1, 1, 1, "True");
    d.setStatus(null);

    assertThat(ReadinessRules.deployment(d).reason()).isEqualTo("NotObserved");
  }

  @Test
  void deploymentWithFewerUpdatedReplicasIsRollingOut() {
    Verdict verdict = ReadinessRules.deployment(deployment(1, 3, 3, 1, 3, "True"));

    assertThat(verdict.state()).isEqualTo(State.PENDING);
    assertThat(verdict.reason()).isEqualTo("RolloutInProgress");
    assertThat(verdict.message()).contains("1 of 3 replicas updated");
  }

  @Test
  void deploymentWithOldReplicasStillRunningIsNotReady() {
    Verdict verdict = ReadinessRules.deployment(deployment(1, 2, 3, 2, 2, "True"));

    assertThat(verdict.reason()).isEqualTo("OldReplicasTerminating");
  }

  @Test
  void deploymentWithUnavailableReplicasIsPending() {
    Verdict verdict = ReadinessRules.deployment(deployment(1, 2, 2, 2, 1, "False"));

    assertThat(verdict.reason()).isEqualTo("ReplicasUnavailable");
    assertThat(verdict.message()).contains("1 available");
  }

  @Test
  void deploymentWhoseAvailableConditionIsFalseIsPending() {
    Verdict verdict = ReadinessRules.deployment(deployment(1, 1, 1, 1, 1, "False"));

    assertThat(verdict.state()).isEqualTo(State.PENDING);
    assertThat(verdict.reason()).isEqualTo("Unavailable");
  }

  @Test
  void deploymentPastItsProgressDeadlineHasFailed() {
    Deployment d = deployment(1, 1, 1, 1, 0, "False");
    d.getStatus()
        .getConditions()
        .add(
            new DeploymentConditionBuilder()
                .withType("Progressing")
                .withStatus("False")
                .withReason("ProgressDeadlineExceeded")
                .withMessage("ReplicaSet \"web-1\" has timed out progressing.")
                .build());

    Verdict verdict = ReadinessRules.deployment(d);

    assertThat(verdict.state()).isEqualTo(State.FAILED);
    assertThat(verdict.reason()).isEqualTo("ProgressDeadlineExceeded");
    assertThat(verdict.message()).contains("timed out progressing");
  }

  @Test
  void deploymentThatCannotCreatePodsSaysWhy() {
    Deployment d = deployment(1, 1, 0, 0, 0, "False");
    d.getStatus()
        .getConditions()
        .add(
            new DeploymentConditionBuilder()
                .withType("ReplicaFailure")
                .withStatus("True")
                .withReason("FailedCreate")
                .withMessage("pods \"web-1-x\" is forbidden: exceeded quota: env")
                .build());

    Verdict verdict = ReadinessRules.deployment(d);

    assertThat(verdict.state()).isEqualTo(State.PENDING);
    assertThat(verdict.reason()).isEqualTo("FailedCreate");
    assertThat(verdict.message()).contains("exceeded quota");
  }

  // StatefulSets and DaemonSets

  @Test
  void statefulSetIsReadyWhenAllReplicasReadyAtTheCurrentRevision() {
    assertThat(ReadinessRules.statefulSet(statefulSet(2, 2, "db-2", "db-2")).ready()).isTrue();
  }

  @Test
  void statefulSetWithFewerReadyReplicasIsPending() {
    Verdict verdict = ReadinessRules.statefulSet(statefulSet(3, 1, "db-2", "db-2"));

    assertThat(verdict.reason()).isEqualTo("ReplicasNotReady");
    assertThat(verdict.message()).isEqualTo("1 of 3 replicas ready");
  }

  @Test
  void statefulSetStillRollingToANewRevisionIsPending() {
    Verdict verdict = ReadinessRules.statefulSet(statefulSet(2, 2, "db-1", "db-2"));

    assertThat(verdict.reason()).isEqualTo("RolloutInProgress");
  }

  @Test
  void onDeleteStatefulSetIgnoresRevisions() {
    StatefulSet s = statefulSet(2, 2, "db-1", "db-2");
    s.getSpec()
        .setUpdateStrategy(new StatefulSetUpdateStrategyBuilder().withType("OnDelete").build());

    assertThat(ReadinessRules.statefulSet(s).ready()).isTrue();
  }

  @Test
  void daemonSetIsReadyWhenEveryScheduledPodIsReadyAndUpdated() {
    var ready = daemonSet(3, 3, 3);
    var notReady = daemonSet(3, 3, 2);

    assertThat(ReadinessRules.daemonSet(ready).ready()).isTrue();
    assertThat(ReadinessRules.daemonSet(notReady).reason()).isEqualTo("PodsNotReady");
    assertThat(ReadinessRules.daemonSet(daemonSet(3, 1, 3)).reason())
        .isEqualTo("RolloutInProgress");
  }

  // Jobs

  @Test
  void completeJobIsReady() {
    assertThat(ReadinessRules.job(job("Complete", "True", null)).ready()).isTrue();
  }

  @Test
  void failedJobHasFailedWithItsReason() {
    Verdict verdict = ReadinessRules.job(job("Failed", "True", "BackoffLimitExceeded"));

    assertThat(verdict.state()).isEqualTo(State.FAILED);
    assertThat(verdict.reason()).isEqualTo("BackoffLimitExceeded");
  }

  @Test
  void runningJobIsPending() {
    Job running = new JobBuilder().withNewStatus().withActive(1).endStatus().build();

    Verdict verdict = ReadinessRules.job(running);

    assertThat(verdict.state()).isEqualTo(State.PENDING);
    assertThat(verdict.message()).contains("1 active");
    assertThat(ReadinessRules.job(job("Complete", "False", null)).state()).isEqualTo(State.PENDING);
  }

  // Pods and claims

  @Test
  void runningReadyPodHasNoProblem() {
    assertThat(ReadinessRules.problem(pod("web-1", "Running", "True"))).isEmpty();
    assertThat(ReadinessRules.pod(pod("web-1", "Running", "True")).ready()).isTrue();
  }

  @Test
  void imagePullBackOffNamesTheContainerAndTheRegistrysMessage() {
    Pod pod =
        new PodBuilder(pod("web-1", "Pending", "False"))
            .editStatus()
            .addToContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("app")
                    .withNewState()
                    .withNewWaiting()
                    .withReason("ImagePullBackOff")
                    .withMessage("Back-off pulling image \"registry.invalid/app:1\"")
                    .endWaiting()
                    .endState()
                    .build())
            .endStatus()
            .build();

    PodProblem problem = ReadinessRules.problem(pod).orElseThrow();

    assertThat(problem.reason()).isEqualTo("ImagePullBackOff");
    assertThat(problem.message())
        .isEqualTo(
            "pod web-1 (Pending): container app waiting: ImagePullBackOff: Back-off pulling image"
                + " \"registry.invalid/app:1\"");
  }

  @Test
  void crashLoopBackOffIncludesTheLastExit() {
    Pod pod =
        new PodBuilder(pod("web-1", "Running", "False"))
            .editStatus()
            .addToContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("app")
                    .withNewState()
                    .withNewWaiting()
                    .withReason("CrashLoopBackOff")
                    .withMessage("back-off 5m0s restarting failed container")
                    .endWaiting()
                    .endState()
                    .withNewLastState()
                    .withNewTerminated()
                    .withReason("Error")
                    .withExitCode(3)
                    .endTerminated()
                    .endLastState()
                    .build())
            .endStatus()
            .build();

    PodProblem problem = ReadinessRules.problem(pod).orElseThrow();

    assertThat(problem.reason()).isEqualTo("CrashLoopBackOff");
    assertThat(problem.message()).contains("last exit: Error (exit code 3)");
  }

  @Test
  void containerCreatingIsNotMistakenForTrouble() {
    Pod pod =
        new PodBuilder(pod("web-1", "Pending", "False"))
            .editStatus()
            .addToContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("app")
                    .withNewState()
                    .withNewWaiting()
                    .withReason("ContainerCreating")
                    .endWaiting()
                    .endState()
                    .build())
            .endStatus()
            .build();

    assertThat(ReadinessRules.problem(pod).orElseThrow().reason()).isEqualTo("ContainerCreating");
    assertThat(ReadinessRules.problem(pod).orElseThrow().message())
        .isEqualTo("pod web-1 (Pending): container app ContainerCreating");
  }

  @Test
  void unschedulablePodGivesTheSchedulersReason() {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("web-1")
            .endMetadata()
            .withNewStatus()
            .withPhase("Pending")
            .addToConditions(
                new PodConditionBuilder()
                    .withType("PodScheduled")
                    .withStatus("False")
                    .withReason("Unschedulable")
                    .withMessage("0/1 nodes are available: 1 node(s) didn't match node selector.")
                    .build())
            .endStatus()
            .build();

    PodProblem problem = ReadinessRules.problem(pod).orElseThrow();

    assertThat(problem.reason()).isEqualTo("Unschedulable");
    assertThat(problem.message())
        .isEqualTo(
            "pod web-1 (Pending): not scheduled: 0/1 nodes are available: 1 node(s) didn't match"
                + " node selector.");
  }

  @Test
  void terminatedContainerWithAnErrorIsTrouble() {
    Pod pod =
        new PodBuilder(pod("once", "Failed", "False"))
            .editStatus()
            .addToContainerStatuses(
                new ContainerStatusBuilder()
                    .withName("app")
                    .withNewState()
                    .withNewTerminated()
                    .withReason("OOMKilled")
                    .withExitCode(137)
                    .endTerminated()
                    .endState()
                    .build())
            .endStatus()
            .build();

    Verdict verdict = ReadinessRules.pod(pod);

    assertThat(verdict.state()).isEqualTo(State.FAILED);
    assertThat(verdict.reason()).isEqualTo("OOMKilled");
    assertThat(verdict.message()).contains("exit code 137");
  }

  @Test
  void runningPodWhoseReadinessProbeFailsReportsItsReadyCondition() {
    Pod pod = pod("web-1", "Running", "False");
    pod.getStatus().getConditions().get(0).setReason("ContainersNotReady");
    pod.getStatus().getConditions().get(0).setMessage("containers with unready status: [app]");

    PodProblem problem = ReadinessRules.problem(pod).orElseThrow();

    assertThat(problem.reason()).isEqualTo("ContainersNotReady");
    assertThat(problem.message()).endsWith("containers with unready status: [app]");
  }

  @Test
  void firstNotReadyPodIsTheNewestThatIsNotReadyAndNotTerminating() {
    Pod oldBroken = pod("web-old", "Pending", "False");
    oldBroken.getMetadata().setCreationTimestamp("2026-01-01T10:00:00Z");
    Pod newBroken = pod("web-new", "Pending", "False");
    newBroken.getMetadata().setCreationTimestamp("2026-01-01T11:00:00Z");
    Pod newest = pod("web-ready", "Running", "True");
    newest.getMetadata().setCreationTimestamp("2026-01-01T12:00:00Z");
    Pod leaving = pod("web-leaving", "Pending", "False");
    leaving.getMetadata().setCreationTimestamp("2026-01-01T13:00:00Z");
    leaving.getMetadata().setDeletionTimestamp("2026-01-01T13:01:00Z");

    assertThat(ReadinessRules.firstNotReady(List.of(oldBroken, newBroken, newest, leaving)))
        .map(p -> p.getMetadata().getName())
        .contains("web-new");
    assertThat(ReadinessRules.firstNotReady(List.of(newest))).isEmpty();
  }

  @Test
  void claimIsReadyOnlyOnceBound() {
    var bound = new PersistentVolumeClaimBuilder().withNewStatus().withPhase("Bound").endStatus();
    var pending =
        new PersistentVolumeClaimBuilder().withNewStatus().withPhase("Pending").endStatus();
    var lost = new PersistentVolumeClaimBuilder().withNewStatus().withPhase("Lost").endStatus();

    assertThat(ReadinessRules.persistentVolumeClaim(bound.build()).ready()).isTrue();
    assertThat(ReadinessRules.persistentVolumeClaim(pending.build()).state())
        .isEqualTo(State.PENDING);
    assertThat(ReadinessRules.persistentVolumeClaim(lost.build()).state()).isEqualTo(State.FAILED);
  }

  // Events

  @Test
  void recentWarningsAreNewestFirstDistinctAndBounded() {
    List<Event> events =
        List.of(
            event("Warning", "FailedScheduling", "0/1 nodes", "2026-01-01T10:00:00Z", null),
            event("Normal", "Scheduled", "assigned", "2026-01-01T10:05:00Z", null),
            event("Warning", "BackOff", "back-off pulling", "2026-01-01T10:03:00Z", null),
            // events.k8s.io events seen through core/v1: no lastTimestamp, only eventTime
            event("Warning", "FailedMount", "no volume", null, "2026-01-01T10:04:00.123456Z"),
            event("Warning", "BackOff", "back-off pulling", "2026-01-01T10:02:00Z", null),
            event("Warning", "Old", "oldest", "2026-01-01T09:00:00Z", null));

    assertThat(ReadinessRules.recentWarnings(events, 3))
        .containsExactly(
            "FailedMount: no volume", "BackOff: back-off pulling", "FailedScheduling: 0/1 nodes");
  }

  private static Deployment deployment(
      long generation,
      int replicas,
      int current,
      int updated,
      int available,
      String availableCond) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("web")
        .withGeneration(generation)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .endSpec()
        .withNewStatus()
        .withObservedGeneration(generation)
        .withReplicas(current)
        .withUpdatedReplicas(updated)
        .withAvailableReplicas(available)
        .addNewCondition()
        .withType("Available")
        .withStatus(availableCond)
        .withMessage("Deployment has minimum availability.")
        .endCondition()
        .endStatus()
        .build();
  }

  private static StatefulSet statefulSet(
      int replicas, int ready, String currentRevision, String updateRevision) {
    return new StatefulSetBuilder()
        .withNewMetadata()
        .withName("db")
        .withGeneration(1L)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .endSpec()
        .withNewStatus()
        .withObservedGeneration(1L)
        .withReplicas(replicas)
        .withReadyReplicas(ready)
        .withCurrentRevision(currentRevision)
        .withUpdateRevision(updateRevision)
        .endStatus()
        .build();
  }

  private static DaemonSet daemonSet(int desired, int updated, int ready) {
    return new DaemonSetBuilder()
        .withNewMetadata()
        .withName("agent")
        .withGeneration(4L)
        .endMetadata()
        .withNewStatus()
        .withObservedGeneration(4L)
        .withDesiredNumberScheduled(desired)
        .withUpdatedNumberScheduled(updated)
        .withNumberReady(ready)
        .endStatus()
        .build();
  }

  private static Job job(String type, String status, String reason) {
    return new JobBuilder()
        .withNewStatus()
        .addNewCondition()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .endCondition()
        .endStatus()
        .build();
  }

  private static Pod pod(String name, String phase, String ready) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewStatus()
        .withPhase(phase)
        .addToConditions(new PodConditionBuilder().withType("Ready").withStatus(ready).build())
        .endStatus()
        .build();
  }

  private static Event event(
      String type, String reason, String message, String lastTimestamp, String eventTime) {
    return new EventBuilder()
        .withType(type)
        .withReason(reason)
        .withMessage(message)
        .withLastTimestamp(lastTimestamp)
        .withEventTime(
            eventTime == null ? null : new MicroTimeBuilder().withTime(eventTime).build())
        .build();
  }
}

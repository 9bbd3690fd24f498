package dev.branchyard.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.lifecycle.AdmissionPolicy.Decision;
import dev.branchyard.spec.SpecCatalog;
import dev.branchyard.testing.TestLifecycleConfig;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the admission queue is derived from the Environments themselves, never from memory. */
class EnvironmentAdmissionTest {

  private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");

  private final EnvironmentAdmission admission =
      new EnvironmentAdmission(
          null,
          new SpecCatalog(Clock.systemUTC()),
          null,
          TestLifecycleConfig.defaults().withMaxEnvironments(1));

  private static Environment environment(String name, int createdMinute, EnvironmentStatus status) {
    Environment environment =
        new Environment(
            name,
            new EnvironmentSpec(
                "shop",
                new Trigger(
                    TriggerSource.PullRequest,
                    "acme/web",
                    1,
                    "feature/x",
                    "main",
                    "0".repeat(40),
                    "octocat",
                    false),
                null));
    environment.getMetadata().setNamespace("home");
    environment.getMetadata().setCreationTimestamp(T0.plusSeconds(60L * createdMinute).toString());
    environment.setStatus(status);
    return environment;
  }

  private static EnvironmentStatus status(EnvironmentPhase phase, Boolean admitted) {
    List<io.fabric8.kubernetes.api.model.Condition> conditions =
        admitted == null
            ? List.of()
            : List.of(
                new ConditionBuilder()
                    .withType(StatusDraft.ADMITTED)
                    .withStatus(admitted ? "True" : "False")
                    .build());
    return new EnvironmentStatus(
        1L, phase, null, null, null, null, null, null, null, conditions, null, null, null);
  }

  @Test
  void secondEnvironmentWaitsAtPositionOneBehindTheAdmittedOne() {
    Environment first = environment("shop-pr-1", 0, status(EnvironmentPhase.Ready, true));
    Environment second = environment("shop-pr-2", 1, null);

    Decision decision = admission.decide(second, List.of(first, second));

    assertThat(decision).isInstanceOf(Decision.Queue.class);
    assertThat(((Decision.Queue) decision).position()).isEqualTo(1);
    assertThat(decision.reason()).contains("global limit").contains("position 1");
  }

  @Test
  void queueFollowsCreationOrderWhateverTheReplicaHasWrittenSoFar() {
    // Neither has a status yet (a restarted replica, or both created at once): the older one goes
    // first on every replica, whichever is reconciled first.
    Environment older = environment("shop-pr-9", 0, null);
    Environment newer = environment("shop-pr-1", 1, null);

    assertThat(admission.decide(older, List.of(newer, older))).isInstanceOf(Decision.Admit.class);
    assertThat(admission.decide(newer, List.of(newer, older))).isInstanceOf(Decision.Queue.class);
  }

  @Test
  void anAdmittedEnvironmentIsNeverQueuedAgainEvenOverTheLimit() {
    Environment admitted = environment("shop-pr-2", 1, status(EnvironmentPhase.Deploying, true));
    Environment other = environment("shop-pr-1", 0, status(EnvironmentPhase.Ready, true));

    assertThat(admission.decide(admitted, List.of(other, admitted)))
        .isInstanceOf(Decision.Admit.class);
  }

  @Test
  void environmentsPastAdmissionFromBeforeItWasEnforcedHoldASlot() {
    Environment legacy = environment("shop-pr-1", 0, status(EnvironmentPhase.Ready, null));
    Environment waiting = environment("shop-pr-2", 1, status(EnvironmentPhase.Queued, false));

    assertThat(EnvironmentAdmission.isAdmitted(legacy.getStatus())).isTrue();
    assertThat(EnvironmentAdmission.isAdmitted(waiting.getStatus())).isFalse();
    assertThat(admission.decide(waiting, List.of(legacy, waiting)))
        .isInstanceOf(Decision.Queue.class);
  }

  @Test
  void failedEnvironmentFreesItsSlotForTheNextInTheQueue() {
    Environment failed = environment("shop-pr-1", 0, status(EnvironmentPhase.Failed, true));
    Environment waiting = environment("shop-pr-2", 1, status(EnvironmentPhase.Queued, false));

    assertThat(admission.decide(waiting, List.of(failed, waiting)))
        .isInstanceOf(Decision.Admit.class);
  }

  @Test
  void deletedEnvironmentStillHoldsItsSlotUntilItIsGone() {
    Environment leaving = environment("shop-pr-1", 0, status(EnvironmentPhase.Ready, true));
    leaving.getMetadata().setDeletionTimestamp(T0.plusSeconds(600).toString());
    Environment waiting = environment("shop-pr-2", 1, status(EnvironmentPhase.Queued, false));

    assertThat(admission.decide(waiting, List.of(leaving, waiting)))
        .isInstanceOf(Decision.Queue.class);
    assertThat(admission.decide(waiting, List.of(waiting))).isInstanceOf(Decision.Admit.class);
  }

  @Test
  void leastRecentlyUpdatedIsReadFromTheRequestedAtAnnotation() {
    Environment environment = environment("shop-pr-1", 0, null);
    environment
        .getMetadata()
        .setAnnotations(
            Map.of(EnvironmentRequests.REQUESTED_AT_ANNOTATION, T0.plusSeconds(3600).toString()));

    AdmissionPolicy.EnvironmentSummary summary = EnvironmentAdmission.summaryOf(environment);

    assertThat(summary.createdAt()).isEqualTo(T0);
    assertThat(summary.lastUpdated()).isEqualTo(T0.plusSeconds(3600));
    assertThat(summary.admitted()).isFalse();
  }
}

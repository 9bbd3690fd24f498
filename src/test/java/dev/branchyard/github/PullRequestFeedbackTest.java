package dev.branchyard.github;

import static dev.branchyard.github.FeedbackSnapshots.NAME;
import static dev.branchyard.github.FeedbackSnapshots.at;
import static dev.branchyard.github.FeedbackSnapshots.sha;
import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.github.EnvironmentSnapshot.Stage;
import dev.branchyard.github.GitHubFeedback.CommitState;
import dev.branchyard.github.GitHubFeedback.CommitStatus;
import dev.branchyard.github.GitHubFeedback.DeploymentState;
import dev.branchyard.github.GitHubFeedback.DeploymentStatus;
import dev.branchyard.github.GitHubFeedback.StickyComment;
import dev.branchyard.lifecycle.EnvironmentPhase;
import dev.branchyard.lifecycle.EnvironmentSpec;
import dev.branchyard.lifecycle.Trigger;
import dev.branchyard.lifecycle.TriggerSource;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PullRequestFeedbackTest {

  private final PullRequestFeedback feedback = new PullRequestFeedback("https://by.example.com/");

  @Test
  void reportsABuildingEnvironmentAsPendingWithTheStatusPageLink() {
    FeedbackUpdate update = feedback.plan(at(1, EnvironmentPhase.Building)).orElseThrow();

    assertThat(update.updates()).hasSize(3);
    assertThat(update.updates().get(0))
        .isEqualTo(
            new CommitStatus(
                "octo-org/shop",
                sha(1),
                "branchyard/shop",
                CommitState.PENDING,
                "Building images",
                "https://by.example.com/environments/" + NAME));
    assertThat(deployment(update).state()).isEqualTo(DeploymentState.IN_PROGRESS);
    assertThat(deployment(update).environmentUrl()).isNull();
  }

  @Test
  void reportsAReadyEnvironmentAsSuccessWithItsUrl() {
    FeedbackUpdate update = feedback.plan(at(1, EnvironmentPhase.Ready)).orElseThrow();

    assertThat(status(update).state()).isEqualTo(CommitState.SUCCESS);
    assertThat(status(update).description())
        .isEqualTo("Ready: https://shop-pr42.preview.example.com");
    assertThat(deployment(update).state()).isEqualTo(DeploymentState.SUCCESS);
    assertThat(deployment(update).environmentUrl())
        .isEqualTo("https://shop-pr42.preview.example.com");
    assertThat(deployment(update).logUrl())
        .isEqualTo("https://by.example.com/environments/" + NAME);
  }

  @Test
  void reportsAFailureWithTheControllersReasonWithinGitHubsLimit() {
    FeedbackUpdate update = feedback.plan(at(1, EnvironmentPhase.Failed)).orElseThrow();

    assertThat(status(update).state()).isEqualTo(CommitState.FAILURE);
    assertThat(status(update).description())
        .isEqualTo("Failed: component web: pod web-1 CrashLoopBackOff")
        .hasSizeLessThanOrEqualTo(140);
    assertThat(deployment(update).state()).isEqualTo(DeploymentState.FAILURE);
  }

  @Test
  void aNewPushIsPendingUntilTheControllerHasStartedOnIt() {
    EnvironmentSnapshot ready = at(1, EnvironmentPhase.Ready);
    EnvironmentSnapshot pushed =
        new EnvironmentSnapshot(
            NAME,
            2,
            1,
            FeedbackSnapshots.spec(sha(2)),
            ready.status(),
            Stage.ACTIVE,
            Optional.empty());

    FeedbackUpdate update = feedback.plan(pushed).orElseThrow();

    assertThat(status(update).sha()).isEqualTo(sha(2));
    assertThat(status(update).state()).isEqualTo(CommitState.PENDING);
    assertThat(deployment(update).sha()).isEqualTo(sha(2));
    assertThat(deployment(update).state()).isEqualTo(DeploymentState.QUEUED);
  }

  @Test
  void summarisesComponentsRefsCommitsUrlExpiryAndCommandsInTheComment() {
    String body = comment(feedback.plan(at(1, EnvironmentPhase.Ready)).orElseThrow()).body();

    assertThat(body)
        .startsWith("<!-- branchyard:" + NAME + " -->\n")
        .contains("`shop` environment is ready")
        .contains("https://shop-pr42.preview.example.com")
        .contains("https://by.example.com/environments/" + NAME)
        .contains("2026-12-01T17:00:00Z")
        .contains(
            "| web | octo-org/shop | PullRequestHead `feature/cart` | octo-org/shop@" + sha(1))
        .contains(
            "| api | octo-org/api | Branch `main` | octo-org/api@1111111111111111111111111111111111111111")
        .contains("/branchyard extend <duration>")
        .contains("/branchyard destroy");
  }

  @Test
  void tellsTheTeardownOnTheCommentAndDeploymentButLeavesTheCommitStatus() {
    EnvironmentSnapshot ready = at(3, EnvironmentPhase.Ready);

    FeedbackUpdate deleting =
        feedback.plan(FeedbackSnapshots.stage(ready, Stage.DELETING)).orElseThrow();
    FeedbackUpdate deleted =
        feedback.plan(FeedbackSnapshots.stage(ready, Stage.DELETED)).orElseThrow();

    assertThat(deleting.updates()).noneMatch(u -> u instanceof CommitStatus);
    assertThat(deployment(deleting).state()).isEqualTo(DeploymentState.INACTIVE);
    assertThat(comment(deleting).body()).contains("is being torn down");
    assertThat(deleted.deleted()).isTrue();
    assertThat(deployment(deleted).state()).isEqualTo(DeploymentState.INACTIVE);
    assertThat(deployment(deleted).fingerprint()).isEqualTo(deployment(deleting).fingerprint());
    assertThat(comment(deleted).body()).contains("was destroyed").doesNotContain("| web |");
  }

  @Test
  void theSameStateGivesTheSameFingerprints() {
    FeedbackUpdate first = feedback.plan(at(1, EnvironmentPhase.Deploying)).orElseThrow();
    FeedbackUpdate again = feedback.plan(at(1, EnvironmentPhase.Deploying)).orElseThrow();
    FeedbackUpdate ready = feedback.plan(at(1, EnvironmentPhase.Ready)).orElseThrow();

    assertThat(first.updates().stream().map(GitHubFeedback.Update::fingerprint))
        .containsExactlyElementsOf(
            again.updates().stream().map(GitHubFeedback.Update::fingerprint).toList());
    assertThat(status(ready).fingerprint()).isNotEqualTo(status(first).fingerprint());
  }

  @Test
  void givesNoFeedbackToEnvironmentsNotTriggeredByAGitHubPullRequest() {
    EnvironmentSpec branch =
        new EnvironmentSpec(
            "shop",
            new Trigger(
                TriggerSource.Push, "octo-org/shop", null, "main", null, sha(1), "x", false),
            null);
    EnvironmentSpec elsewhere =
        new EnvironmentSpec(
            "shop",
            new Trigger(
                TriggerSource.PullRequest,
                "http://127.0.0.1:9000/repos/shop.git",
                42,
                "f",
                "main",
                sha(1),
                "x",
                false),
            null);

    assertThat(feedback.plan(snapshot(branch))).isEmpty();
    assertThat(feedback.plan(snapshot(elsewhere))).isEmpty();
  }

  @Test
  void readsGitHubRepositoriesWrittenAsNamesOrUrls() {
    assertThat(PullRequestFeedback.gitHubRepo("octo-org/shop")).contains("octo-org/shop");
    assertThat(PullRequestFeedback.gitHubRepo("https://github.com/octo-org/shop.git"))
        .contains("octo-org/shop");
    assertThat(PullRequestFeedback.gitHubRepo("git@github.com:octo-org/shop.git"))
        .contains("octo-org/shop");
    assertThat(PullRequestFeedback.gitHubRepo("https://gitlab.com/octo-org/shop")).isEmpty();
  }

  private static EnvironmentSnapshot snapshot(EnvironmentSpec spec) {
    return new EnvironmentSnapshot(
        NAME, 1, 0, spec, Optional.empty(), Stage.ACTIVE, Optional.empty());
  }

  private static CommitStatus status(FeedbackUpdate update) {
    return update.updates().stream()
        .filter(CommitStatus.class::isInstance)
        .map(CommitStatus.class::cast)
        .findFirst()
        .orElseThrow();
  }

  private static StickyComment comment(FeedbackUpdate update) {
    return update.updates().stream()
        .filter(StickyComment.class::isInstance)
        .map(StickyComment.class::cast)
        .findFirst()
        .orElseThrow();
  }

  private static DeploymentStatus deployment(FeedbackUpdate update) {
    return update.updates().stream()
        .filter(DeploymentStatus.class::isInstance)
        .map(DeploymentStatus.class::cast)
        .findFirst()
        .orElseThrow();
  }
}

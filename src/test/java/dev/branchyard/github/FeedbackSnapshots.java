package dev.branchyard.github;

import dev.branchyard.build.ImageBuildPhase;
import dev.branchyard.github.EnvironmentSnapshot.Stage;
import dev.branchyard.lifecycle.ComponentStatus;
import dev.branchyard.lifecycle.DeployPhase;
import dev.branchyard.lifecycle.EnvironmentPhase;
import dev.branchyard.lifecycle.EnvironmentSpec;
import dev.branchyard.lifecycle.EnvironmentStatus;
import dev.branchyard.lifecycle.RefKind;
import dev.branchyard.lifecycle.ResolvedRef;
import dev.branchyard.lifecycle.Trigger;
import dev.branchyard.lifecycle.TriggerSource;
import java.util.List;
import java.util.Optional;

/** Environments of pull request octo-org/shop#42 as feedback sees them, for tests. */
final class FeedbackSnapshots {

  static final String NAME = "shop-shop-pr42";
  static final String REPO = "octo-org/shop";

  private FeedbackSnapshots() {}

  static String sha(int n) {
    return String.format("%040x", n + 0xabc000);
  }

  static EnvironmentSpec spec(String sha) {
    return new EnvironmentSpec(
        "shop",
        new Trigger(
            TriggerSource.PullRequest, REPO, 42, "feature/cart", "main", sha, "monalisa", false),
        "8h");
  }

  static EnvironmentStatus status(EnvironmentPhase phase, String sha, long generation) {
    return new EnvironmentStatus(
        generation,
        phase,
        null,
        "by-" + NAME,
        phase == EnvironmentPhase.Ready ? "https://shop-pr42.preview.example.com" : null,
        List.of(),
        "2026-12-01T17:00:00Z",
        List.of(
            new ResolvedRef("web", REPO, RefKind.PullRequestHead, "feature/cart", sha, "PR head"),
            new ResolvedRef(
                "api",
                "octo-org/api",
                RefKind.Branch,
                "main",
                "1111111111111111111111111111111111111111",
                "no branch feature/cart; fell back to main")),
        List.of(
            new ComponentStatus(
                "web",
                "registry/shop:" + sha,
                null,
                ImageBuildPhase.Succeeded,
                phase == EnvironmentPhase.Ready ? DeployPhase.Ready : DeployPhase.Progressing,
                null,
                sha,
                null,
                null)),
        List.of(),
        List.of(),
        phase == EnvironmentPhase.Failed ? "component web: pod web-1 CrashLoopBackOff" : null,
        "rev1");
  }

  /** The environment at push {@code push} (generation = push), in {@code phase}. */
  static EnvironmentSnapshot at(int push, EnvironmentPhase phase) {
    return new EnvironmentSnapshot(
        NAME,
        push,
        push,
        spec(sha(push)),
        Optional.of(status(phase, sha(push), push)),
        Stage.ACTIVE,
        Optional.empty());
  }

  static EnvironmentSnapshot stage(EnvironmentSnapshot snapshot, Stage stage) {
    return new EnvironmentSnapshot(
        snapshot.name(),
        snapshot.generation(),
        snapshot.statusGeneration(),
        snapshot.spec(),
        snapshot.status(),
        stage,
        snapshot.recorded());
  }
}

package dev.branchyard.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.build.ImageBuildPhase;
import dev.branchyard.lifecycle.ComponentStatus;
import dev.branchyard.lifecycle.DeployPhase;
import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentPhase;
import dev.branchyard.lifecycle.EnvironmentSpec;
import dev.branchyard.lifecycle.EnvironmentStatus;
import dev.branchyard.lifecycle.RefKind;
import dev.branchyard.lifecycle.ResolvedRef;
import dev.branchyard.lifecycle.TimelineEvent;
import dev.branchyard.lifecycle.Trigger;
import dev.branchyard.lifecycle.TriggerSource;
import dev.branchyard.web.EnvironmentView.ComponentView;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnvironmentViewsTest {

  private static final String SHA_WEB = "a".repeat(40);
  private static final String SHA_API = "b".repeat(40);

  private static Environment requested() {
    Environment environment =
        new Environment(
            "shop-web-pr42",
            new EnvironmentSpec(
                "shop",
                new Trigger(
                    TriggerSource.PullRequest,
                    "acme/web",
                    42,
                    "feature/login",
                    "main",
                    SHA_WEB,
                    "alice",
                    null),
                "8h"));
    environment.getMetadata().setCreationTimestamp("2026-12-01T10:00:00Z");
    return environment;
  }

  @Test
  void showsAnEnvironmentTheControllerHasNotReachedAsPending() {
    EnvironmentView view = EnvironmentViews.of(requested());

    assertThat(view.name()).isEqualTo("shop-web-pr42");
    assertThat(view.spec()).isEqualTo("shop");
    assertThat(view.phase()).isEqualTo(EnvironmentPhase.Pending);
    assertThat(view.trigger().author()).isEqualTo("alice");
    assertThat(view.trigger().pullRequest()).isEqualTo(42);
    assertThat(view.trigger().branch()).isEqualTo("feature/login");
    assertThat(view.trigger().fork()).isFalse();
    assertThat(view.createdAt()).isEqualTo(Instant.parse("2026-12-01T10:00:00Z"));
    assertThat(view.expiresAt()).isNull();
    assertThat(view.components()).isEmpty();
    assertThat(view.conditions()).isEmpty();
  }

  @Test
  void joinsEachComponentWithTheRefResolvedForItAndKeepsRefsNotYetDeployed() {
    Environment environment = requested();
    environment.setStatus(
        new EnvironmentStatus(
            1L,
            EnvironmentPhase.Deploying,
            null,
            "by-shop-web-pr42",
            null,
            List.of(),
            "2026-12-01T18:00:00Z",
            List.of(
                new ResolvedRef("web", "acme/web", RefKind.PullRequestHead, "pr/42", SHA_WEB, "PR"),
                new ResolvedRef(
                    "api", "acme/api", RefKind.Branch, "main", SHA_API, "no feature/login")),
            List.of(
                new ComponentStatus(
                    "web",
                    "reg/acme/web:x",
                    "web-abc",
                    ImageBuildPhase.Succeeded,
                    DeployPhase.Progressing,
                    "waiting for pod web-1",
                    SHA_WEB,
                    "h",
                    "2026-12-01T10:05:00Z")),
            List.of(
                new ConditionBuilder()
                    .withType("Ready")
                    .withStatus("False")
                    .withReason("Deploying")
                    .withMessage("1 of 2 ready")
                    .withLastTransitionTime("2026-12-01T10:05:00Z")
                    .build()),
            List.of(
                new TimelineEvent(
                    "2026-12-01T10:01:00Z", "Normal", "ImagesBuilt", "1 image built")),
            "deploying web",
            "r1"));

    EnvironmentView view = EnvironmentViews.of(environment);

    assertThat(view.phase()).isEqualTo(EnvironmentPhase.Deploying);
    assertThat(view.expiresAt()).isEqualTo(Instant.parse("2026-12-01T18:00:00Z"));
    assertThat(view.components())
        .containsExactly(
            new ComponentView(
                "web",
                "acme/web",
                RefKind.PullRequestHead,
                "pr/42",
                SHA_WEB,
                "PR",
                "reg/acme/web:x",
                "web-abc",
                ImageBuildPhase.Succeeded,
                DeployPhase.Progressing,
                "waiting for pod web-1"),
            new ComponentView(
                "api",
                "acme/api",
                RefKind.Branch,
                "main",
                SHA_API,
                "no feature/login",
                null,
                null,
                null,
                null,
                null));
    assertThat(view.condition("Ready").orElseThrow().lastTransitionTime())
        .isEqualTo(Instant.parse("2026-12-01T10:05:00Z"));
    assertThat(view.timeline()).singleElement().extracting("reason").isEqualTo("ImagesBuilt");
    assertThat(EnvironmentSummary.of(view).components()).isEqualTo(2);
    assertThat(EnvironmentSummary.of(view).componentsReady()).isZero();
  }

  @Test
  void showsAnEnvironmentBeingDeletedAsDeletingWhateverItsStatusSays() {
    Environment environment = requested();
    environment.getMetadata().setDeletionTimestamp("2026-12-01T11:00:00Z");

    assertThat(EnvironmentViews.of(environment).phase()).isEqualTo(EnvironmentPhase.Deleting);
    assertThat(EnvironmentViews.of(environment).deleting()).isTrue();
  }
}

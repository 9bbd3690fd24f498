package dev.branchyard.web;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Environments as the controller writes them, for page tests and the render bench. */
public final class PageFixtures {

  public static final Instant CREATED = Instant.parse("2026-12-02T07:00:00Z");
  public static final String HEAD = "0123456789abcdef0123456789abcdef01234567";

  private PageFixtures() {}

  public static Trigger trigger(String repo, int pullRequest) {
    return new Trigger(
        TriggerSource.PullRequest,
        repo,
        pullRequest,
        "feature/login",
        "main",
        HEAD,
        "octocat",
        false);
  }

  /** An environment without a status yet (just asked for). */
  public static Environment pending(String name, String spec, String repo, int pullRequest) {
    Environment environment =
        new Environment(name, new EnvironmentSpec(spec, trigger(repo, pullRequest), "8h"));
    environment.getMetadata().setCreationTimestamp(CREATED.toString());
    environment.getMetadata().setResourceVersion("1");
    environment
        .getMetadata()
        .setLabels(
            Map.of("branchyard.dev/spec", spec, "branchyard.dev/pull-request", "" + pullRequest));
    return environment;
  }

  /** A status with {@code components} components, the first built from the PR head. */
  public static EnvironmentStatus status(
      EnvironmentPhase phase, String repo, int components, String namespace) {
    List<ResolvedRef> refs = new ArrayList<>();
    List<ComponentStatus> statuses = new ArrayList<>();
    for (int i = 0; i < components; i++) {
      String name = i == 0 ? "web" : "svc-" + i;
      String sha = i == 0 ? HEAD : String.format("%040x", i);
      refs.add(
          new ResolvedRef(
              name,
              i == 0 ? repo : "acme/" + name,
              i == 0 ? RefKind.PullRequestHead : RefKind.Branch,
              i == 0 ? "refs/pull/12/head" : "main",
              sha,
              i == 0
                  ? "the pull request's head commit"
                  : "no branch feature/login; fell back to main"));
      statuses.add(
          new ComponentStatus(
              name,
              "registry.local/acme/" + name + ":" + sha + "-abc123",
              name + "-" + sha.substring(0, 12),
              i % 3 == 0 ? ImageBuildPhase.Succeeded : ImageBuildPhase.Skipped,
              phase == EnvironmentPhase.Ready ? DeployPhase.Ready : DeployPhase.Progressing,
              phase == EnvironmentPhase.Ready ? null : "waiting for deployment/" + name,
              sha,
              "hash-" + i,
              CREATED.plusSeconds(60).toString()));
    }
    List<TimelineEvent> timeline = new ArrayList<>();
    timeline.add(
        new TimelineEvent(CREATED.toString(), "Normal", "Created", "environment asked for"));
    timeline.add(
        new TimelineEvent(
            CREATED.plusSeconds(5).toString(), "Normal", "Resolved", "refs resolved"));
    timeline.add(
        new TimelineEvent(
            CREATED.plusSeconds(30).toString(), "Warning", "BuildSlow", "build <b>queued</b>"));
    return new EnvironmentStatus(
        1L,
        phase,
        null,
        namespace,
        phase == EnvironmentPhase.Ready ? "http://" + namespace + ".preview.local" : null,
        phase == EnvironmentPhase.Ready
            ? List.of("http://" + namespace + ".preview.local")
            : List.of(),
        CREATED.plusSeconds(8 * 3600).toString(),
        refs,
        statuses,
        List.of(),
        timeline,
        phase == EnvironmentPhase.Ready ? null : "deploying " + components + " components",
        "rev-1");
  }

  /** The same status expiring at {@code expiresAt}. */
  public static EnvironmentStatus expiring(EnvironmentStatus s, Instant expiresAt) {
    return new EnvironmentStatus(
        s.observedGeneration(),
        s.phase(),
        s.queuePosition(),
        s.namespace(),
        s.url(),
        s.urls(),
        expiresAt.toString(),
        s.resolvedRefs(),
        s.components(),
        s.conditions(),
        s.timeline(),
        s.message(),
        s.specRevision());
  }

  /** The same status with the first component built by {@code imageBuild}, in {@code phase}. */
  public static EnvironmentStatus building(
      EnvironmentStatus s, String imageBuild, ImageBuildPhase phase) {
    List<ComponentStatus> components = new ArrayList<>(s.components());
    ComponentStatus c = components.get(0);
    components.set(
        0,
        new ComponentStatus(
            c.name(),
            c.image(),
            imageBuild,
            phase,
            c.deployPhase(),
            c.message(),
            c.commitSha(),
            c.appliedHash(),
            c.appliedAt()));
    return new EnvironmentStatus(
        s.observedGeneration(),
        s.phase(),
        s.queuePosition(),
        s.namespace(),
        s.url(),
        s.urls(),
        s.expiresAt(),
        s.resolvedRefs(),
        components,
        s.conditions(),
        s.timeline(),
        s.message(),
        s.specRevision());
  }

  public static Environment withStatus(Environment environment, EnvironmentStatus status) {
    environment.setStatus(status);
    return environment;
  }
}

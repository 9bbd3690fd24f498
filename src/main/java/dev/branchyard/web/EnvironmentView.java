package dev.branchyard.web;

import dev.branchyard.Pure;
import dev.branchyard.build.ImageBuildPhase;
import dev.branchyard.lifecycle.DeployPhase;
import dev.branchyard.lifecycle.EnvironmentPhase;
import dev.branchyard.lifecycle.RefKind;
import dev.branchyard.lifecycle.TriggerSource;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One environment as the API and the status pages show it: read from the {@code Environment}
 * resource by {@link EnvironmentViews}, never written back. Field names are the API's contract.
 *
 * @param name the environment's name (also its URL segment)
 * @param spec the stack (environment spec) name
 * @param trigger what asked for it
 * @param phase where it is; {@code Pending} until the controller first writes a status
 * @param queuePosition position in the concurrency queue while {@code Queued}, else null
 * @param message what is going on now, or what went wrong and what to do about it
 * @param namespace the namespace holding its stack, once created
 * @param url the primary URL, once ready
 * @param urls every URL it exposes
 * @param createdAt when it was first asked for
 * @param expiresAt when it will be torn down, when known
 * @param deleting true once its deletion was requested (teardown in progress)
 * @param conditions Kubernetes-style conditions with transition times
 * @param components per component: the commit chosen and why, the image and its build, the deploy
 *     state
 * @param timeline what happened, oldest first
 */
@Pure
public record EnvironmentView(
    String name,
    String spec,
    TriggerView trigger,
    EnvironmentPhase phase,
    Integer queuePosition,
    String message,
    String namespace,
    String url,
    List<String> urls,
    Instant createdAt,
    Instant expiresAt,
    boolean deleting,
    List<ConditionView> conditions,
    List<ComponentView> components,
    List<TimelineEntry> timeline) {

  public EnvironmentView {
    urls = List.copyOf(urls);
    conditions = List.copyOf(conditions);
    components = List.copyOf(components);
    timeline = List.copyOf(timeline);
  }

  /** The condition of this type, if the controller wrote one. */
  public Optional<ConditionView> condition(String type) {
    return conditions.stream().filter(c -> c.type().equals(type)).findFirst();
  }

  /** The component with this name, if the stack has it. */
  public Optional<ComponentView> component(String componentName) {
    return components.stream().filter(c -> c.name().equals(componentName)).findFirst();
  }

  /**
   * What asked for the environment.
   *
   * @param source the front end: pull request, push, chat or API
   * @param repo the triggering repository ({@code owner/name} or a git URL)
   * @param pullRequest the pull request number, when triggered by one
   * @param author who opened the pull request or issued the command
   * @param branch the head branch
   * @param baseBranch the pull request's base branch
   * @param headSha the exact commit asked for in the triggering repo
   * @param fork whether the pull request comes from a fork
   */
  public record TriggerView(
      TriggerSource source,
      String repo,
      Integer pullRequest,
      String author,
      String branch,
      String baseBranch,
      String headSha,
      boolean fork) {}

  /**
   * A Kubernetes-style condition.
   *
   * @param type e.g. {@code Ready}
   * @param status {@code True}, {@code False} or {@code Unknown}
   * @param reason a short CamelCase reason
   * @param message for people
   * @param lastTransitionTime when the status last changed
   */
  public record ConditionView(
      String type, String status, String reason, String message, Instant lastTransitionTime) {}

  /**
   * One component: where its code comes from, its image and how its deploy goes.
   *
   * @param name component name in the spec
   * @param repo the repository its commit was resolved in
   * @param refKind how the commit was chosen (PR head, branch, tag, commit)
   * @param ref the branch, tag or commit name that matched
   * @param sha the exact commit
   * @param why why this ref was chosen, for people
   * @param image the image deployed, when the component builds one
   * @param imageBuild the {@code ImageBuild} producing it (its logs: {@code
   *     /api/builds/{imageBuild}/logs})
   * @param buildState the phase of that build
   * @param deployState the deploy state
   * @param message what is going on or wrong, for people
   */
  public record ComponentView(
      String name,
      String repo,
      RefKind refKind,
      String ref,
      String sha,
      String why,
      String image,
      String imageBuild,
      ImageBuildPhase buildState,
      DeployPhase deployState,
      String message) {}

  /**
   * One entry of the timeline.
   *
   * @param time when it happened
   * @param type {@code Normal} or {@code Warning}
   * @param reason a short CamelCase reason
   * @param message what happened
   */
  public record TimelineEntry(Instant time, String type, String reason, String message) {}
}

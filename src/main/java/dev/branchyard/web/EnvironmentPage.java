package dev.branchyard.web;

import java.util.List;

/**
 * Everything the environment page shows, formatted for people: built by {@link EnvironmentPages}
 * from the resource and its namespace, rendered by the {@code environment*.html} templates.
 *
 * @param name the environment's name
 * @param spec the stack
 * @param phase the phase, e.g. {@code Ready}
 * @param tone the phase's colour class: {@code ok}, {@code busy}, {@code bad} or {@code gone}
 * @param message what is going on now, or what went wrong
 * @param deleting whether its deletion was requested
 * @param trigger what asked for it
 * @param namespace the namespace holding its stack, or null before there is one
 * @param createdAt when it was created (RFC 3339), or null
 * @param age how long ago that was, e.g. {@code 3h 5m}
 * @param expiry when it will be torn down
 * @param urls where it can be reached
 * @param components one row per component
 * @param timeline what happened, newest first
 * @param builds the image builds, with their logs
 * @param buildsKey changes when the set of builds changes (the live update keeps open log viewers
 *     otherwise)
 * @param workloadProblem why pods and events could not be read, or null
 */
public record EnvironmentPage(
    String name,
    String spec,
    String phase,
    String tone,
    String message,
    boolean deleting,
    TriggerView trigger,
    String namespace,
    String createdAt,
    String age,
    ExpiryView expiry,
    List<String> urls,
    List<ComponentRow> components,
    List<TimelineRow> timeline,
    List<BuildRow> builds,
    String buildsKey,
    String workloadProblem) {

  /**
   * What asked for the environment.
   *
   * @param source PullRequest, Push, Chat or Api
   * @param repo the triggering repository
   * @param repoUrl its web page, or null
   * @param pullRequest {@code #12}, or null
   * @param pullRequestUrl the pull request's page, or null
   * @param branch the head branch, or null
   * @param baseBranch the base branch, or null
   * @param headSha the triggering commit, or null
   * @param shortSha its first 7 characters, or null
   * @param commitUrl its page, or null
   * @param requestedBy who asked, or null
   */
  public record TriggerView(
      String source,
      String repo,
      String repoUrl,
      String pullRequest,
      String pullRequestUrl,
      String branch,
      String baseBranch,
      String headSha,
      String shortSha,
      String commitUrl,
      String requestedBy) {}

  /**
   * When the environment goes away.
   *
   * @param at the instant (RFC 3339), or null when not known yet
   * @param text {@code in 3h 12m}, {@code 5m ago} or {@code not set yet}
   * @param extended whether an extension moved it past what the controller has recorded
   */
  public record ExpiryView(String at, String text, boolean extended) {}

  /**
   * One component.
   *
   * @param name its name in the spec
   * @param repo its repository, or null when not resolved yet
   * @param refKind how its commit was chosen, for people ({@code branch}, {@code pull request
   *     head}, ...)
   * @param refName the branch, tag or commit that matched
   * @param sha the exact commit
   * @param shortSha its first 7 characters
   * @param commitUrl the commit's page, or null
   * @param reason why that ref was chosen
   * @param image the image deployed, or null
   * @param imageBuild the ImageBuild producing it, or null
   * @param buildPhase that build's phase, or null
   * @param buildTone its colour class
   * @param deployPhase the deploy state, or null
   * @param deployTone its colour class
   * @param message what is going on with it
   * @param pods its pods
   * @param events recent events about it, newest first
   */
  public record ComponentRow(
      String name,
      String repo,
      String refKind,
      String refName,
      String sha,
      String shortSha,
      String commitUrl,
      String reason,
      String image,
      String imageBuild,
      String buildPhase,
      String buildTone,
      String deployPhase,
      String deployTone,
      String message,
      List<PodRow> pods,
      List<EventRow> events) {}

  /**
   * One pod.
   *
   * @param name its name
   * @param phase Pending, Running, ...
   * @param ready {@code 1/1}
   * @param allReady whether every container is ready
   * @param restarts restarts of its containers
   * @param lastState why a container waits or last ended, or null
   */
  public record PodRow(
      String name, String phase, String ready, boolean allReady, int restarts, String lastState) {}

  /**
   * One Kubernetes event of a component.
   *
   * @param at when (RFC 3339)
   * @param age how long ago
   * @param warning whether its type is Warning
   * @param reason its reason
   * @param object what it is about
   * @param message what happened, with {@code (x3)} when repeated
   */
  public record EventRow(
      String at, String age, boolean warning, String reason, String object, String message) {}

  /**
   * One entry of the timeline.
   *
   * @param at when (RFC 3339)
   * @param age how long ago
   * @param warning whether its type is Warning
   * @param reason its reason
   * @param message what happened
   */
  public record TimelineRow(
      String at, String age, boolean warning, String reason, String message) {}

  /**
   * One image build, with a log viewer.
   *
   * @param component the component it builds
   * @param name the ImageBuild's name
   * @param phase its phase, or {@code Pending}
   * @param tone its colour class
   */
  public record BuildRow(String component, String name, String phase, String tone) {}
}

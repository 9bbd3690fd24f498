package dev.branchyard.github;

import dev.branchyard.Pure;
import dev.branchyard.chatops.HelpText;
import dev.branchyard.github.EnvironmentSnapshot.Stage;
import dev.branchyard.github.GitHubFeedback.CommitState;
import dev.branchyard.github.GitHubFeedback.CommitStatus;
import dev.branchyard.github.GitHubFeedback.DeploymentState;
import dev.branchyard.github.GitHubFeedback.DeploymentStatus;
import dev.branchyard.github.GitHubFeedback.StickyComment;
import dev.branchyard.lifecycle.ComponentStatus;
import dev.branchyard.lifecycle.EnvironmentPhase;
import dev.branchyard.lifecycle.EnvironmentStatus;
import dev.branchyard.lifecycle.ResolvedRef;
import dev.branchyard.lifecycle.Trigger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a pull request should show about its environment, from the environment's spec and status:
 * the commit status {@code branchyard/<spec>} on the head commit, the sticky comment and the
 * deployment status. Only environments triggered by a GitHub pull request get any. Nothing here
 * depends on the time of day, so the same environment state always gives the same feedback (and the
 * same fingerprints: unchanged, nothing is sent).
 */
@Pure
public final class PullRequestFeedback {

  /** GitHub's limit on a commit status description. */
  static final int MAX_DESCRIPTION = 140;

  private static final Pattern OWNER_NAME =
      Pattern.compile("^([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+)$");
  private static final Pattern GITHUB_URL =
      Pattern.compile(
          "^(?:https?://(?:www\\.)?github\\.com/|git@github\\.com:|ssh://git@github\\.com/)"
              + "([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\\.git)?/?$");

  private final String publicUrl;

  /**
   * @param publicUrl Branchyard's public URL ({@code branchyard.web.public-url}); status pages are
   *     {@code <publicUrl>/environments/<name>}
   */
  public PullRequestFeedback(String publicUrl) {
    this.publicUrl = publicUrl.replaceAll("/+$", "");
  }

  /** The marker that finds an environment's sticky comment again. */
  public static String marker(String environment) {
    return "<!-- branchyard:" + environment + " -->";
  }

  /**
   * The GitHub repository ({@code owner/name}) of a trigger's repo, when it is on GitHub: written
   * as {@code owner/name} or as a github.com URL.
   */
  public static Optional<String> gitHubRepo(String repo) {
    if (repo == null) {
      return Optional.empty();
    }
    Matcher plain = OWNER_NAME.matcher(repo.trim());
    if (plain.matches()) {
      return Optional.of(plain.group(1) + "/" + plain.group(2).replaceAll("\\.git$", ""));
    }
    Matcher url = GITHUB_URL.matcher(repo.trim());
    return url.matches() ? Optional.of(url.group(1) + "/" + url.group(2)) : Optional.empty();
  }

  /**
   * The feedback for an environment, or empty when it was not triggered by a GitHub pull request (a
   * branch, a chat command without PR, a repo not on GitHub).
   */
  public Optional<FeedbackUpdate> plan(EnvironmentSnapshot environment) {
    Trigger trigger = environment.spec().trigger();
    if (trigger == null || trigger.pullRequest() == null || trigger.headSha() == null) {
      return Optional.empty();
    }
    Optional<String> repo = gitHubRepo(trigger.repo());
    if (repo.isEmpty()) {
      return Optional.empty();
    }
    Progress progress = progress(environment);
    String page = statusPage(environment.name());
    List<GitHubFeedback.Update> updates = new ArrayList<>();
    commitState(progress)
        .ifPresent(
            state ->
                updates.add(
                    new CommitStatus(
                        repo.get(),
                        trigger.headSha(),
                        "branchyard/" + environment.spec().specName(),
                        state,
                        truncate(progress.summary(), MAX_DESCRIPTION),
                        page)));
    updates.add(
        new StickyComment(
            repo.get(),
            trigger.pullRequest(),
            marker(environment.name()),
            comment(environment, progress, page)));
    updates.add(
        new DeploymentStatus(
            repo.get(),
            trigger.headSha(),
            environment.name(),
            deploymentState(progress),
            // The same words while torn down and once gone: the inactive status is sent once.
            progress.stage() == Stage.ACTIVE
                ? truncate(progress.summary(), MAX_DESCRIPTION)
                : "Environment torn down",
            progress.phase() == EnvironmentPhase.Ready ? progress.url().orElse(null) : null,
            page));
    return Optional.of(
        new FeedbackUpdate(
            environment.name(),
            environment.stage() == Stage.DELETED,
            environment.recorded(),
            updates));
  }

  String statusPage(String environment) {
    return publicUrl + "/environments/" + environment;
  }

  /** Where the environment is for its current head commit, and a line saying so. */
  record Progress(
      Stage stage, EnvironmentPhase phase, String summary, Optional<String> url, boolean current) {}

  static Progress progress(EnvironmentSnapshot environment) {
    Optional<EnvironmentStatus> status = environment.status();
    Optional<String> url = status.map(EnvironmentStatus::url).filter(u -> !u.isBlank());
    if (environment.stage() == Stage.DELETED) {
      return new Progress(
          Stage.DELETED, EnvironmentPhase.Deleting, "Environment destroyed", url, true);
    }
    if (environment.stage() == Stage.DELETING) {
      return new Progress(
          Stage.DELETING, EnvironmentPhase.Deleting, "Environment being torn down", url, true);
    }
    EnvironmentPhase phase = status.map(EnvironmentStatus::phase).orElse(EnvironmentPhase.Pending);
    boolean current = environment.statusGeneration() >= environment.generation();
    if (!current && (phase == EnvironmentPhase.Ready || phase == EnvironmentPhase.Failed)) {
      // The status still describes the previous head: the new one has not been started on yet.
      return new Progress(Stage.ACTIVE, EnvironmentPhase.Pending, "Update requested", url, false);
    }
    String summary =
        switch (phase) {
          case Pending -> "Waiting to start";
          case Queued ->
              "Queued"
                  + status
                      .map(EnvironmentStatus::queuePosition)
                      .map(p -> " (position " + p + ")")
                      .orElse("")
                  + ": at the concurrency limit";
          case Resolving -> "Choosing the commit of each repo";
          case Building -> "Building images";
          case Deploying -> "Deploying";
          case Ready -> "Ready" + url.map(u -> ": " + u).orElse("");
          case Failed ->
              "Failed"
                  + status
                      .map(EnvironmentStatus::message)
                      .filter(m -> !m.isBlank())
                      .map(m -> ": " + firstLine(m))
                      .orElse("");
          case Deleting -> "Environment being torn down";
        };
    return new Progress(Stage.ACTIVE, phase, summary, url, current);
  }

  static Optional<CommitState> commitState(Progress progress) {
    if (progress.stage() != Stage.ACTIVE) {
      // The commit keeps what it last showed; the comment and the deployment say it is gone.
      return Optional.empty();
    }
    return Optional.of(
        switch (progress.phase()) {
          case Ready -> CommitState.SUCCESS;
          case Failed -> CommitState.FAILURE;
          default -> CommitState.PENDING;
        });
  }

  static DeploymentState deploymentState(Progress progress) {
    if (progress.stage() != Stage.ACTIVE) {
      return DeploymentState.INACTIVE;
    }
    return switch (progress.phase()) {
      case Ready -> DeploymentState.SUCCESS;
      case Failed -> DeploymentState.FAILURE;
      case Pending, Queued -> DeploymentState.QUEUED;
      default -> DeploymentState.IN_PROGRESS;
    };
  }

  String comment(EnvironmentSnapshot environment, Progress progress, String page) {
    Trigger trigger = environment.spec().trigger();
    Optional<EnvironmentStatus> status = environment.status();
    StringBuilder out = new StringBuilder();
    out.append(marker(environment.name())).append('\n');
    out.append("### Branchyard: `")
        .append(environment.spec().specName())
        .append("` environment ")
        .append(headline(progress))
        .append("\n\n");
    if (progress.stage() == Stage.DELETED) {
      out.append("Environment `")
          .append(environment.name())
          .append("` was destroyed. Comment `")
          .append(HelpText.PREFIX)
          .append(" up` to create it again.\n");
      return out.toString();
    }
    out.append("| | |\n|---|---|\n");
    out.append("| Status | ").append(cell(progress.summary())).append(" |\n");
    progress.url().ifPresent(u -> out.append("| URL | ").append(u).append(" |\n"));
    out.append("| Status page | ").append(page).append(" |\n");
    out.append("| Head | `")
        .append(trigger.branch() == null ? "?" : trigger.branch())
        .append("` at ")
        .append(commitLink(gitHubRepo(trigger.repo()).orElse(trigger.repo()), trigger.headSha()))
        .append(" |\n");
    status
        .map(EnvironmentStatus::expiresAt)
        .filter(e -> !e.isBlank())
        .ifPresent(e -> out.append("| Expires | ").append(e).append(" (UTC) |\n"));
    if (!progress.current()) {
      out.append(
          "\nA new push is waiting to be deployed; the components below are the previous one.\n");
    }
    List<ResolvedRef> refs = status.map(EnvironmentStatus::resolvedRefs).orElse(List.of());
    if (refs != null && !refs.isEmpty()) {
      Map<String, ComponentStatus> components =
          status.map(EnvironmentStatus::components).orElse(List.of()).stream()
              .collect(Collectors.toMap(ComponentStatus::name, Function.identity(), (a, b) -> b));
      out.append("\n| Component | Repo | Ref | Commit | State |\n|---|---|---|---|---|\n");
      for (ResolvedRef ref : refs) {
        ComponentStatus component = components.get(ref.component());
        out.append("| ")
            .append(cell(ref.component()))
            .append(" | ")
            .append(cell(gitHubRepo(ref.repo()).orElse(ref.repo())))
            .append(" | ")
            .append(cell(ref.refKind() + " `" + ref.refName() + "`"))
            .append(" | ")
            .append(commitLink(gitHubRepo(ref.repo()).orElse(null), ref.sha()))
            .append(" | ")
            .append(cell(componentState(component)))
            .append(" |\n");
      }
    }
    if (progress.stage() == Stage.ACTIVE) {
      out.append("\n<details><summary>Commands</summary>\n\n```\n")
          .append(String.join("\n", HelpText.usageLines()))
          .append("\n```\n</details>\n");
    }
    return out.toString();
  }

  private static String headline(Progress progress) {
    if (progress.stage() == Stage.DELETED) {
      return "destroyed";
    }
    if (progress.stage() == Stage.DELETING) {
      return "is being torn down";
    }
    return switch (progress.phase()) {
      case Ready -> "is ready";
      case Failed -> "failed";
      default -> "is on its way (" + progress.phase() + ")";
    };
  }

  private static String componentState(ComponentStatus component) {
    if (component == null) {
      return "waiting";
    }
    if (component.deployPhase() != null) {
      return component.deployPhase().toString();
    }
    return component.imagePhase() == null ? "waiting" : "image " + component.imagePhase();
  }

  /** {@code owner/name@sha} GitHub links itself; elsewhere just the short SHA. */
  private static String commitLink(String repo, String sha) {
    if (sha == null) {
      return "?";
    }
    if (repo == null || !OWNER_NAME.matcher(repo).matches()) {
      return "`" + sha.substring(0, Math.min(7, sha.length())) + "`";
    }
    return repo + "@" + sha;
  }

  private static String cell(String text) {
    return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  static String truncate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 3) + "...";
  }
}

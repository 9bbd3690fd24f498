package dev.branchyard.github;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a webhook asks of Branchyard, decided by {@link PullRequestEvents} without any I/O: create
 * or update an environment, destroy environments, or nothing (with the reason, for the log and the
 * delivery's response).
 */
public sealed interface EnvironmentIntent {

  /**
   * Create the environment of one stack for a pull request, or move it to the PR's new head.
   *
   * @param specName the stack (environment spec) whose triggers matched
   * @param repo the repository the PR is opened against, {@code owner/name}
   * @param prNumber the pull request's number
   * @param branch the PR's head branch (in the fork, for a fork PR)
   * @param baseBranch the branch the PR would merge into
   * @param headSha the exact commit to deploy for {@code repo}
   * @param author the PR's author (GitHub login)
   * @param fork whether the head branch lives in another repository
   * @param draft whether the PR is a draft (only when the stack allows drafts)
   * @param labels the PR's labels
   * @param needsApproval whether a maintainer must comment {@code /branchyard ok-to-test} first;
   *     true for every fork PR, whose code must not run with the stack's secrets unseen
   */
  record Upsert(
      String specName,
      String repo,
      int prNumber,
      String branch,
      String baseBranch,
      String headSha,
      String author,
      boolean fork,
      boolean draft,
      List<String> labels,
      boolean needsApproval)
      implements EnvironmentIntent {

    public Upsert {
      Objects.requireNonNull(specName, "specName");
      Objects.requireNonNull(repo, "repo");
      Objects.requireNonNull(branch, "branch");
      Objects.requireNonNull(baseBranch, "baseBranch");
      Objects.requireNonNull(headSha, "headSha");
      Objects.requireNonNull(author, "author");
      labels = List.copyOf(labels);
    }
  }

  /**
   * Destroy a pull request's environments.
   *
   * @param specName the stack whose environment goes; empty for every environment of the PR (the PR
   *     was closed, so none may stay, whatever the specs say now)
   * @param repo the repository the PR is opened against, {@code owner/name}
   * @param prNumber the pull request's number
   * @param reason why, in words for the PR's timeline
   */
  record Destroy(Optional<String> specName, String repo, int prNumber, String reason)
      implements EnvironmentIntent {

    public Destroy {
      Objects.requireNonNull(specName, "specName");
      Objects.requireNonNull(repo, "repo");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Nothing to do.
   *
   * @param reason why, in words for the log
   */
  record Ignore(String reason) implements EnvironmentIntent {

    public Ignore {
      Objects.requireNonNull(reason, "reason");
    }
  }
}

package dev.branchyard.github;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Reads a pull request from GitHub, for commands that arrive without one ({@code /branchyard up},
 * {@code ok-to-test} in a comment, or from Slack).
 */
public interface PullRequestLookup {

  /**
   * The pull request as GitHub has it now.
   *
   * @throws PullRequestNotFoundException when there is no such pull request
   * @throws GitHubUnavailableException when GitHub cannot answer now
   */
  PullRequestInfo pullRequest(String repo, int number);

  /**
   * A pull request's state, as GitHub's REST API returns it.
   *
   * @param repo the base repository, {@code owner/name}
   * @param number its number
   * @param headSha the head commit
   * @param branch the head branch (in the fork, for a fork PR)
   * @param baseBranch the base branch
   * @param author the author's login
   * @param fork whether the head lives in another repository
   * @param draft whether it is a draft
   * @param open whether it is open
   * @param labels its labels' names
   * @param updatedAt GitHub's {@code updated_at}
   */
  record PullRequestInfo(
      String repo,
      int number,
      String headSha,
      String branch,
      String baseBranch,
      String author,
      boolean fork,
      boolean draft,
      boolean open,
      List<String> labels,
      Instant updatedAt) {
    public PullRequestInfo {
      Objects.requireNonNull(repo, "repo");
      Objects.requireNonNull(headSha, "headSha");
      Objects.requireNonNull(branch, "branch");
      Objects.requireNonNull(baseBranch, "baseBranch");
      Objects.requireNonNull(author, "author");
      labels = List.copyOf(labels);
      Objects.requireNonNull(updatedAt, "updatedAt");
    }
  }

  /** The pull request does not exist (or Branchyard cannot see it). */
  class PullRequestNotFoundException extends RuntimeException {
    public PullRequestNotFoundException(String repo, int number) {
      super("no pull request #" + number + " in " + repo);
    }
  }
}

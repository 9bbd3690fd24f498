package dev.branchyard.github;

/** Answers to a person on a pull request: a reply comment and a reaction on their comment. */
public interface PullRequestReplies {

  /**
   * Posts a new comment on the pull request.
   *
   * @throws GitHubUnavailableException when GitHub cannot take it now
   */
  void reply(String repo, int number, String markdown);

  /**
   * Adds a reaction to an issue comment (GitHub's {@code content} values: {@code +1}, {@code -1},
   * {@code eyes}, {@code rocket}, {@code confused}, ...).
   *
   * @throws GitHubUnavailableException when GitHub cannot take it now
   */
  void react(String repo, long commentId, String content);
}

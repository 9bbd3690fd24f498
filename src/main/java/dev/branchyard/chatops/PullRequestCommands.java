package dev.branchyard.chatops;

import java.util.Objects;

/**
 * Runs {@code /branchyard} commands typed in pull request comments and answers on the pull request.
 * The webhook intake hands every such comment here, off the request thread, after the delivery was
 * verified and de-duplicated.
 */
public interface PullRequestCommands {

  /** Parses, checks the author's permission, carries out and replies to one comment. */
  void onComment(PullRequestComment comment);

  /**
   * A comment on a pull request, as GitHub's {@code issue_comment} event gives it.
   *
   * @param repo the repository, {@code owner/name}
   * @param number the pull request's number
   * @param commentId the comment's id (for the reaction)
   * @param author the commenter's login
   * @param body the comment's text
   * @param deliveryId the webhook delivery it came in, for the log
   */
  record PullRequestComment(
      String repo, int number, long commentId, String author, String body, String deliveryId) {
    public PullRequestComment {
      Objects.requireNonNull(repo, "repo");
      Objects.requireNonNull(author, "author");
      Objects.requireNonNull(body, "body");
      Objects.requireNonNull(deliveryId, "deliveryId");
    }
  }
}

package dev.branchyard.github;

import dev.branchyard.chatops.PullRequestCommands.PullRequestComment;

/**
 * Hands a verified, de-duplicated {@code /branchyard} comment over to chatops, off the request
 * thread: the webhook is answered without waiting for the command to run.
 */
public interface CommentHandoff {

  /** Passes the comment on; returns at once. */
  void handOff(PullRequestComment comment);
}

package dev.branchyard.chatops;

/**
 * Records a maintainer's {@code /branchyard ok-to-test} on the Environment of a fork's pull
 * request, as the annotation {@link
 * dev.branchyard.lifecycle.EnvironmentRequests#FORK_APPROVED_BY_ANNOTATION}: webhook intake moves
 * only approved fork environments to later pushes.
 */
public interface ForkApprovals {

  /**
   * Marks the environment as approved by {@code login}; approving again overwrites the login.
   *
   * @throws dev.branchyard.lifecycle.EnvironmentNotFoundException when there is no such environment
   */
  void approve(String environmentName, String login);
}

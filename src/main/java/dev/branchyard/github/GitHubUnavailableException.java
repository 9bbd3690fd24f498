package dev.branchyard.github;

/**
 * GitHub's API did not answer usefully (unreachable, rate limited, a 5xx); worth retrying later.
 */
public class GitHubUnavailableException extends RuntimeException {

  public GitHubUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}

package dev.branchyard.github;

/**
 * GitHub answered, and refused the request for a reason that retrying will not change (bad
 * credentials, missing permission, invalid input: a 4xx other than not-found and rate limiting). A
 * {@link GitHubUnavailableException} for the ports' callers, which refuse the action and say so;
 * feedback is not retried until the environment changes again.
 */
public class GitHubRefusedException extends GitHubUnavailableException {

  private final int status;

  public GitHubRefusedException(String message, int status, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** GitHub's HTTP status code. */
  public int status() {
    return status;
  }
}

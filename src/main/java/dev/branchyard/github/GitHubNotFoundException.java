package dev.branchyard.github;

/** GitHub answered 404: there is no such thing, or Branchyard's credentials cannot see it. */
public class GitHubNotFoundException extends RuntimeException {

  public GitHubNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}

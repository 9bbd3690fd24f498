package dev.branchyard.git;

/** A repository could not be read. The message names the repository and the reason. */
public class GitAccessException extends Exception {

  /** Why the repository could not be read, so callers can decide whether to retry. */
  public enum Reason {
    NOT_FOUND,
    AUTH_FAILED,
    NETWORK,
    TIMEOUT,
    PROTOCOL
  }

  private final String repo;
  private final Reason reason;

  public GitAccessException(String repo, Reason reason, String message, Throwable cause) {
    super(repo + ": " + message, cause);
    this.repo = repo;
    this.reason = reason;
  }

  public String repo() {
    return repo;
  }

  public Reason reason() {
    return reason;
  }
}

package dev.branchyard.github;

import java.time.Instant;
import java.util.Optional;

/**
 * GitHub refused a request for its rate limit (primary: {@code X-RateLimit-Remaining: 0}; or
 * secondary: {@code Retry-After}); nothing should be sent before {@link #retryAt()}.
 */
public class GitHubRateLimitedException extends GitHubUnavailableException {

  private final transient Instant retryAt;

  public GitHubRateLimitedException(String message, Instant retryAt, Throwable cause) {
    super(message, cause);
    this.retryAt = retryAt;
  }

  /** When GitHub says requests will be accepted again, when it said. */
  public Optional<Instant> retryAt() {
    return Optional.ofNullable(retryAt);
  }
}

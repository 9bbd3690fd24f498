package dev.branchyard.github;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kohsuke.github.GitHubAbuseLimitHandler;
import org.kohsuke.github.GitHubRateLimitHandler;
import org.kohsuke.github.HttpException;
import org.kohsuke.github.connector.GitHubConnectorResponse;

/**
 * Turns github-api's {@link IOException}s into Branchyard's: not found, unavailable (5xx, network),
 * rate limited (with when to try again), or refused for good. github-api's own rate-limit handlers
 * would sleep in the calling thread; Branchyard's fail at once and the caller decides when to
 * retry.
 */
final class GitHubErrors {

  private final Clock clock;

  GitHubErrors(Clock clock) {
    this.clock = clock;
  }

  /** Fails at once on a primary rate limit, remembering {@code X-RateLimit-Reset}. */
  GitHubRateLimitHandler rateLimitHandler() {
    return new GitHubRateLimitHandler() {
      @Override
      public void onError(GitHubConnectorResponse response) throws IOException {
        throw new RateLimited("GitHub's API rate limit is used up", retryAt(response));
      }
    };
  }

  /** Fails at once on a secondary ("abuse") rate limit, remembering {@code Retry-After}. */
  GitHubAbuseLimitHandler abuseLimitHandler() {
    return new GitHubAbuseLimitHandler() {
      @Override
      public void onError(GitHubConnectorResponse response) throws IOException {
        throw new RateLimited("GitHub's secondary rate limit was hit", retryAt(response));
      }
    };
  }

  /**
   * The Branchyard exception for a failed call; {@code what} says what was being done, e.g. "read
   * pull request o/r#4".
   */
  RuntimeException translate(String what, IOException e) {
    if (e instanceof RateLimited limited) {
      return new GitHubRateLimitedException(
          "could not " + what + ": " + limited.getMessage(), limited.retryAt, e);
    }
    if (e.getCause() instanceof RateLimited limited) {
      return translate(what, limited);
    }
    int status = status(e);
    if (status == 404 || e instanceof FileNotFoundException) {
      return new GitHubNotFoundException("could not " + what + ": GitHub answered 404", e);
    }
    if (status >= 500 || status <= 0) {
      return new GitHubUnavailableException(
          "could not "
              + what
              + ": "
              + (status > 0 ? "GitHub answered " + status : "GitHub unreachable: " + e),
          e);
    }
    return new GitHubRefusedException(
        "could not " + what + ": GitHub answered " + status + ": " + brief(e.getMessage()),
        status,
        e);
  }

  /** The Branchyard exception for a raw request's error answer. */
  RuntimeException translate(String what, int status, Map<String, List<String>> headers) {
    String remaining = first(headers, "X-RateLimit-Remaining");
    String retryAfter = first(headers, "Retry-After");
    if ((status == 403 || status == 429) && ("0".equals(remaining) || retryAfter != null)) {
      return new GitHubRateLimitedException(
          "could not " + what + ": GitHub's rate limit was hit",
          retryAt(retryAfter, remaining, first(headers, "X-RateLimit-Reset")),
          null);
    }
    if (status == 404) {
      return new GitHubNotFoundException("could not " + what + ": GitHub answered 404", null);
    }
    if (status >= 500) {
      return new GitHubUnavailableException(
          "could not " + what + ": GitHub answered " + status, null);
    }
    return new GitHubRefusedException(
        "could not " + what + ": GitHub answered " + status, status, null);
  }

  private static String first(Map<String, List<String>> headers, String name) {
    return headers.entrySet().stream()
        .filter(e -> e.getKey() != null && e.getKey().equalsIgnoreCase(name))
        .flatMap(e -> e.getValue().stream())
        .findFirst()
        .orElse(null);
  }

  private static int status(IOException e) {
    if (e instanceof HttpException http) {
      return http.getResponseCode();
    }
    if (e.getCause() instanceof HttpException http) {
      return http.getResponseCode();
    }
    return -1;
  }

  private Instant retryAt(GitHubConnectorResponse response) {
    return retryAt(
        response.header("Retry-After"),
        response.header("X-RateLimit-Remaining"),
        response.header("X-RateLimit-Reset"));
  }

  private Instant retryAt(String retryAfter, String remaining, String resetAt) {
    Instant now = clock.instant();
    Optional<Instant> after = seconds(retryAfter).map(s -> now.plus(Duration.ofSeconds(s)));
    if (after.isPresent()) {
      return after.get();
    }
    if ("0".equals(remaining)) {
      Optional<Instant> reset = seconds(resetAt).map(Instant::ofEpochSecond);
      if (reset.isPresent()) {
        return reset.get().isBefore(now) ? now : reset.get();
      }
    }
    // GitHub's advice when it names no time: wait at least a minute.
    return now.plus(Duration.ofMinutes(1));
  }

  private static Optional<Long> seconds(String header) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(header.trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String brief(String message) {
    if (message == null) {
      return "";
    }
    String oneLine = message.replaceAll("\\s+", " ").trim();
    return oneLine.length() > 300 ? oneLine.substring(0, 300) + "..." : oneLine;
  }

  /** What a rate-limit handler throws, carrying when GitHub will accept requests again. */
  static final class RateLimited extends IOException {
    final transient Instant retryAt;

    RateLimited(String message, Instant retryAt) {
      super(message);
      this.retryAt = retryAt;
    }
  }
}

package dev.branchyard.github;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How Branchyard talks to GitHub's REST API, prefix {@code branchyard.github} (beside the webhook
 * settings of {@link GitHubConfig}). Set either {@link #token()} or the GitHub App's {@link
 * App#id()} and private key; with neither, GitHub feedback is skipped (logged once) and the ports
 * that need GitHub fail with {@link GitHubNotConfiguredException}.
 */
@ConfigMapping(prefix = "branchyard.github")
public interface GitHubApiConfig {

  /**
   * Base URL of GitHub's REST API: {@code https://api.github.com}, or {@code https://<host>/api/v3}
   * for GitHub Enterprise Server (tests point it at a stand-in).
   */
  @WithDefault("https://api.github.com")
  URI apiUrl();

  /**
   * A personal access token or other token with {@code repo} scope (statuses, deployments, issue
   * comments, collaborator permissions). Used when no App is configured.
   */
  Optional<String> token();

  /** A GitHub App, preferred over {@link #token()} when both are set. */
  App app();

  /** How long to wait for GitHub to accept a connection and to answer a request. */
  @WithDefault("10s")
  Duration requestTimeout();

  /** Feedback to pull requests: commit statuses, the sticky comment, deployments. */
  Feedback feedback();

  /** A GitHub App's identity. */
  interface App {

    /** The App's id (its settings page shows it as "App ID"). */
    Optional<Long> id();

    /** The App's private key, PEM text as GitHub hands it out (PKCS#1 or PKCS#8). */
    Optional<String> privateKey();

    /**
     * A file holding the App's private key PEM, e.g. a mounted Secret; used when {@link
     * #privateKey()} is unset.
     */
    Optional<Path> privateKeyFile();

    /**
     * How long before an installation token's {@code expires_at} a new one is fetched (tokens live
     * an hour; a request in flight must not carry an expiring token).
     */
    @WithDefault("5m")
    Duration tokenRefreshBefore();
  }

  /** Settings of feedback to GitHub. */
  interface Feedback {

    /** Whether environments' progress is reported to their pull requests at all. */
    @WithDefault("true")
    boolean enabled();

    /**
     * How many threads send feedback at once. Updates for one environment are always sent in order
     * by one thread at a time.
     */
    @WithDefault("2")
    int workers();

    /** First wait before an update that failed for a passing reason (5xx, network) is retried. */
    @WithDefault("2s")
    Duration initialBackoff();

    /** Longest wait between retries; the wait doubles from {@link #initialBackoff()} up to it. */
    @WithDefault("5m")
    Duration maxBackoff();

    /**
     * How often every environment is looked at again: a replica that just became leader catches up
     * within this time, and updates that could not be recorded are retried.
     */
    @WithDefault("5m")
    Duration resync();
  }
}

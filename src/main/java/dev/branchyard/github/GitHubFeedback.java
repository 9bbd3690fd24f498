package dev.branchyard.github;

import dev.branchyard.Pure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What Branchyard tells a pull request about its environment: a commit status, one sticky comment
 * and a GitHub Deployment. Each update is idempotent: sending it twice leaves GitHub as sending it
 * once (the comment is edited in place, the deployment found again by commit and environment).
 */
public interface GitHubFeedback {

  /**
   * Sends one update.
   *
   * @throws GitHubNotConfiguredException without GitHub credentials
   * @throws GitHubRateLimitedException when GitHub's rate limit is used up (with when to retry)
   * @throws GitHubRefusedException when GitHub refuses it for good (permissions, invalid input)
   * @throws GitHubNotFoundException when the repository or pull request is not there
   * @throws GitHubUnavailableException when GitHub cannot take it now (5xx, network)
   */
  void send(Update update);

  /** One piece of feedback. */
  sealed interface Update permits CommitStatus, StickyComment, DeploymentStatus {

    /** Which piece this is ({@code status}, {@code comment}, {@code deployment}). */
    String key();

    String repo();

    /** A short hash of everything sent: unchanged, it need not be sent again. */
    default String fingerprint() {
      return Fingerprints.of(toString());
    }
  }

  /**
   * A commit status ({@code POST /repos/{repo}/statuses/{sha}}).
   *
   * @param context e.g. {@code branchyard/shop}
   * @param description at most 140 characters, as GitHub requires
   */
  record CommitStatus(
      String repo,
      String sha,
      String context,
      CommitState state,
      String description,
      String targetUrl)
      implements Update {
    public CommitStatus {
      Objects.requireNonNull(repo, "repo");
      Objects.requireNonNull(sha, "sha");
      Objects.requireNonNull(state, "state");
    }

    @Override
    public String key() {
      return "status";
    }
  }

  /** GitHub's commit status states. */
  enum CommitState {
    PENDING,
    SUCCESS,
    FAILURE,
    ERROR
  }

  /**
   * The one comment of an environment on its pull request, found by {@code marker} (a hidden HTML
   * comment in its body) and edited in place, or created when there is none.
   */
  record StickyComment(String repo, int number, String marker, String body) implements Update {
    public StickyComment {
      Objects.requireNonNull(repo, "repo");
      Objects.requireNonNull(marker, "marker");
      Objects.requireNonNull(body, "body");
      if (!body.contains(marker)) {
        throw new IllegalArgumentException("a sticky comment's body must hold its marker");
      }
    }

    @Override
    public String key() {
      return "comment";
    }
  }

  /**
   * A status of the GitHub Deployment of {@code sha} to {@code environment} (the deployment is
   * created, once, when missing; {@code INACTIVE} of a deployment never created is skipped).
   */
  record DeploymentStatus(
      String repo,
      String sha,
      String environment,
      DeploymentState state,
      String description,
      String environmentUrl,
      String logUrl)
      implements Update {
    public DeploymentStatus {
      Objects.requireNonNull(repo, "repo");
      Objects.requireNonNull(sha, "sha");
      Objects.requireNonNull(environment, "environment");
      Objects.requireNonNull(state, "state");
    }

    @Override
    public String key() {
      return "deployment";
    }
  }

  /** GitHub's deployment status states that Branchyard uses. */
  enum DeploymentState {
    QUEUED,
    IN_PROGRESS,
    SUCCESS,
    FAILURE,
    INACTIVE
  }

  /** Short content hashes. */
  @Pure
  final class Fingerprints {
    private Fingerprints() {}

    static String of(String text) {
      try {
        byte[] digest =
            MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest).substring(0, 12);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JVM has SHA-256", e);
      }
    }
  }
}

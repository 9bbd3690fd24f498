package dev.branchyard.github;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import org.jboss.logging.Logger;

/**
 * The GitHub API adapter's beans. They exist whether or not GitHub is configured, so the
 * application starts without it; without credentials every call fails with {@link
 * GitHubNotConfiguredException}.
 */
public class GitHubApiBeans {

  private static final Logger LOG = Logger.getLogger(GitHubApiBeans.class);

  @Produces
  @Singleton
  GitHubConnections connections(GitHubApiConfig config, Clock clock) {
    GitHubConnections connections = GitHubConnections.fromConfig(config, clock);
    if (connections.configured()) {
      LOG.infof("GitHub API at %s with %s", config.apiUrl(), connections.describe());
    } else {
      LOG.info(
          "GitHub is not configured (set branchyard.github.token or the app id/key):"
              + " no feedback to pull requests, and commands needing GitHub are refused");
    }
    return connections;
  }

  @Produces
  @Singleton
  GitHubRestApi restApi(GitHubConnections connections) {
    return new GitHubRestApi(connections);
  }
}

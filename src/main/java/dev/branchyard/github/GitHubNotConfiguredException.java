package dev.branchyard.github;

/**
 * Branchyard has no GitHub credentials ({@code branchyard.github.token} or the App's id and key). A
 * {@link GitHubUnavailableException} so that callers refuse what needs GitHub and say why; retrying
 * will not help until the configuration changes.
 */
public class GitHubNotConfiguredException extends GitHubUnavailableException {

  public GitHubNotConfiguredException() {
    super(
        "GitHub is not configured (set branchyard.github.token or the app id/key:"
            + " branchyard.github.app.id and branchyard.github.app.private-key)",
        null);
  }
}

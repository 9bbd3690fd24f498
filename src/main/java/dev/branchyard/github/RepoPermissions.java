package dev.branchyard.github;

/**
 * Who may do what on a repository, as GitHub says (the collaborator permission of a login).
 * Mutating chat commands, {@code /branchyard ok-to-test} and the status page's actions ask it.
 */
public interface RepoPermissions {

  /**
   * The permission {@code login} has on {@code repo} ({@code owner/name}); {@link Permission#NONE}
   * for someone who is not a collaborator.
   *
   * @throws GitHubUnavailableException when GitHub cannot tell now (unreachable, rate limited,
   *     5xx); callers refuse the action and say so, never assume a permission
   */
  Permission permission(String repo, String login);

  /** A collaborator's permission, ordered from least to most. */
  enum Permission {
    NONE,
    READ,
    TRIAGE,
    WRITE,
    MAINTAIN,
    ADMIN;

    /** Whether this permission allows changing environments (write or more). */
    public boolean canWrite() {
      return compareTo(WRITE) >= 0;
    }
  }
}

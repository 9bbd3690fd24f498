package dev.branchyard.spec;

import java.util.Objects;
import java.util.Optional;

/**
 * What triggered an environment, as far as choosing commits is concerned.
 *
 * @param repo the repo the pull request (or push) is in, as GitHub or the spec names it
 * @param headSha the full SHA of the PR's head commit
 * @param branch the PR's branch (its head ref), e.g. {@code feature/checkout}
 * @param baseBranch the branch the PR targets; empty for a branch pushed without a PR
 */
public record RefRequest(String repo, String headSha, String branch, Optional<String> baseBranch) {

  public RefRequest {
    Objects.requireNonNull(repo, "repo");
    Objects.requireNonNull(headSha, "headSha");
    Objects.requireNonNull(branch, "branch");
    Objects.requireNonNull(baseBranch, "baseBranch");
    if (!GitNames.isFullSha(headSha)) {
      throw new IllegalArgumentException("head SHA must be 40 hex characters: " + headSha);
    }
  }

  /** A pull request from {@code branch} into {@code baseBranch}. */
  public static RefRequest pullRequest(
      String repo, String headSha, String branch, String baseBranch) {
    return new RefRequest(repo, headSha, branch, Optional.of(baseBranch));
  }
}

package dev.branchyard.spec;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a component's commit is chosen when the triggering pull request is not in its repo (a
 * component of the triggering repo always runs the PR's head commit).
 */
public sealed interface RefPolicy {

  /**
   * Follow the PR: the branch named like the PR's branch if the repo has one, else the first branch
   * of the fallback chain that exists.
   *
   * @param fallback this component's own chain; empty to use the stack's {@code fallback}
   */
  record FollowBranch(Optional<List<FallbackStep>> fallback) implements RefPolicy {
    public FollowBranch {
      fallback = fallback.map(List::copyOf);
    }

    /** Follows the PR branch with the stack's fallback chain. */
    public static FollowBranch withStackFallback() {
      return new FollowBranch(Optional.empty());
    }
  }

  /**
   * Always the same ref, whatever the PR: a full 40-character commit SHA, a tag or a branch. A name
   * that is both a tag and a branch means the tag (as {@code git rev-parse} does); write {@code
   * refs/heads/<name>} or {@code refs/tags/<name>} to say which.
   */
  record Pinned(String ref) implements RefPolicy {
    public Pinned {
      Objects.requireNonNull(ref, "ref");
    }

    /** Whether the pin is a full commit SHA, which needs no lookup in the repo's refs. */
    public boolean isCommit() {
      return GitNames.isFullSha(ref);
    }
  }
}

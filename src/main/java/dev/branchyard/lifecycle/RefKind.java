package dev.branchyard.lifecycle;

/** How a repo's commit was chosen. */
public enum RefKind {
  PullRequestHead,
  Branch,
  Tag,
  Commit
}

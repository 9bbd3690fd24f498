package dev.branchyard.spec;

/**
 * How a component's commit was chosen. Mirrors the CRD's {@code lifecycle.RefKind}, kept separate
 * so that this package stays free of the Kubernetes model.
 */
public enum ResolvedRefKind {
  /** The triggering pull request's head commit. */
  PullRequestHead,
  /** The head of a branch: the PR's namesake, a fallback, or a pinned branch. */
  Branch,
  /** A pinned tag (annotated tags peeled to their commit). */
  Tag,
  /** A pinned full commit SHA. */
  Commit
}

package dev.branchyard.lifecycle;

/**
 * The exact commit chosen for one component's repo.
 *
 * @param component component name in the spec
 * @param repo the repository
 * @param refKind how the commit was chosen
 * @param refName the branch, tag or commit name that matched
 * @param sha the full commit SHA
 * @param reason why this ref was chosen, for people (e.g. "no branch feature/x; fell back to main")
 */
public record ResolvedRef(
    String component, String repo, RefKind refKind, String refName, String sha, String reason) {}

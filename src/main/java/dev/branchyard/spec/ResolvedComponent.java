package dev.branchyard.spec;

import java.util.Objects;

/**
 * The commit chosen for one component.
 *
 * @param component the component's name
 * @param repo the component's repo as the spec names it
 * @param refKind how the commit was chosen
 * @param refName the branch or tag name, or the SHA itself for {@link ResolvedRefKind#Commit}
 * @param sha the full commit SHA
 * @param reason a sentence for the status page, e.g. "no branch 'feature/x'; fell back to 'main'"
 */
public record ResolvedComponent(
    String component,
    String repo,
    ResolvedRefKind refKind,
    String refName,
    String sha,
    String reason) {

  public ResolvedComponent {
    Objects.requireNonNull(component, "component");
    Objects.requireNonNull(repo, "repo");
    Objects.requireNonNull(refKind, "refKind");
    Objects.requireNonNull(refName, "refName");
    Objects.requireNonNull(sha, "sha");
    Objects.requireNonNull(reason, "reason");
  }
}

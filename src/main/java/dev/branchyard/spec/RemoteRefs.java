package dev.branchyard.spec;

import java.util.Map;
import java.util.Objects;

/**
 * What one remote repository advertises, as {@code git ls-remote} shows it: branch and tag names
 * (without {@code refs/heads/} or {@code refs/tags/}) mapped to full commit SHAs. Annotated tags
 * are already peeled to the commit they point at.
 *
 * @param repo the repository as the spec names it
 * @param branches branch name (may contain slashes) to commit SHA
 * @param tags tag name to the commit SHA it points at
 */
public record RemoteRefs(String repo, Map<String, String> branches, Map<String, String> tags) {

  public RemoteRefs {
    Objects.requireNonNull(repo, "repo");
    branches = Map.copyOf(branches);
    tags = Map.copyOf(tags);
  }
}

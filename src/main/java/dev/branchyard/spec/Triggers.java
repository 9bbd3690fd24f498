package dev.branchyard.spec;

import java.util.List;

/**
 * Which pull requests start an environment of a stack. A PR must match every non-empty criterion.
 *
 * @param repos repos whose PRs trigger the stack, each the repo of some component; when the spec
 *     leaves it out, every component's repo
 * @param baseBranches glob patterns ({@code *} within a path segment, {@code **} across segments)
 *     the PR's base branch must match; empty for any base branch
 * @param labels the PR needs at least one of these labels; empty for no label requirement
 * @param drafts whether draft PRs get an environment too; default false
 */
public record Triggers(
    List<String> repos, List<String> baseBranches, List<String> labels, boolean drafts) {

  public Triggers {
    repos = List.copyOf(repos);
    baseBranches = List.copyOf(baseBranches);
    labels = List.copyOf(labels);
  }
}

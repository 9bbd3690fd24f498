package dev.branchyard.lifecycle;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * What asked for an environment. The triggering repo gets exactly {@code headSha}; the other repos
 * of the stack are matched against {@code branch} and then the spec's fallback chain.
 *
 * @param source where the request came from
 * @param repo the triggering repository, as a git URL or GitHub {@code owner/name}
 * @param pullRequest the pull request number, when triggered by one
 * @param branch the head branch (the PR's branch)
 * @param baseBranch the PR's base branch, first in the fallback chain for the other repos
 * @param headSha the exact commit to deploy for the triggering repo
 * @param requestedBy login of the person who opened the PR or issued the command
 * @param fork whether the PR comes from a fork (no copied secrets, no secret build args)
 */
public record Trigger(
    @Required @JsonPropertyDescription("Where the request came from.") TriggerSource source,
    @Required @JsonPropertyDescription("Triggering repository: git URL or GitHub owner/name.")
        String repo,
    @JsonPropertyDescription("Pull request number, when triggered by a pull request.")
        Integer pullRequest,
    @JsonPropertyDescription("Head branch name.") String branch,
    @JsonPropertyDescription("Base branch of the pull request.") String baseBranch,
    @Pattern("^[0-9a-f]{40}$")
        @JsonPropertyDescription("Exact commit (full SHA-1) of the triggering repo.")
        String headSha,
    @JsonPropertyDescription("Login of the person who asked for the environment.")
        String requestedBy,
    @JsonPropertyDescription("True when the pull request comes from a fork.") Boolean fork) {}

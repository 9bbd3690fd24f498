package dev.branchyard.lifecycle;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * What was asked for: which stack, what triggered it, and for how long.
 *
 * @param specName name of the environment spec (a file in {@code env-specs/}) describing the stack
 * @param trigger the pull request, branch or command that asked for this environment
 * @param ttl requested time to live, e.g. {@code 8h} or {@code 90m}; the spec's default when unset
 */
public record EnvironmentSpec(
    @Required
        @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
        @JsonPropertyDescription(
            "Name of the environment spec (env-specs/<name>.yaml) for the stack.")
        String specName,
    @Required @JsonPropertyDescription("What asked for this environment.") Trigger trigger,
    @Pattern("^([0-9]+(s|m|h|d))+$")
        @JsonPropertyDescription(
            "Requested time to live, e.g. 8h or 1h30m; bounded by the spec's max.")
        String ttl) {}

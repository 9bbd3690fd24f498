package dev.branchyard.spec;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One deployable part of a stack, built from (at most) one repository.
 *
 * @param name a DNS label, unique within the stack; used in object names inside the environment
 * @param repo a git URL ({@code https://}, {@code http://}, {@code ssh://}, {@code git@host:path},
 *     {@code file://}) or a GitHub {@code owner/name}
 * @param ref how the commit to deploy is chosen
 * @param build how to build the component's image; empty when it deploys existing images only
 * @param deploy what to apply to the environment's namespace
 * @param requires names of components that must be ready before this one is deployed
 */
public record ComponentSpec(
    String name,
    String repo,
    RefPolicy ref,
    Optional<BuildSpec> build,
    DeploySpec deploy,
    List<String> requires) {

  public ComponentSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(repo, "repo");
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(build, "build");
    Objects.requireNonNull(deploy, "deploy");
    requires = List.copyOf(requires);
  }
}

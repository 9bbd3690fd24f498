package dev.branchyard.spec;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One stack, as described by one {@code env-specs/<name>.yaml} file: the components that make up a
 * per-branch environment and the policies around it. Produced only by {@link SpecParser}, so every
 * instance has passed validation; see {@code docs/environment-spec.md} for the YAML format.
 *
 * @param name the stack's name, a DNS label; environments are named after it
 * @param components at least one, in file order; {@link ComponentSpec#requires()} orders deploys
 * @param triggers which pull requests start an environment of this stack
 * @param ttl how long environments live unless extended
 * @param fallback the branches to try, in order, for a component whose repo has no branch named
 *     like the PR's; a component's own {@code fallback} replaces it. Default {@code [base, main]}
 * @param limits how many environments of this stack may exist at once
 * @param resources the ResourceQuota and LimitRange of each environment's namespace
 * @param ingress how environments are reached from outside, if at all
 * @param values free-form values handed to every component's templates
 * @param secrets names of secrets in Branchyard's namespace to copy into each environment
 */
public record StackSpec(
    String name,
    List<ComponentSpec> components,
    Triggers triggers,
    Ttl ttl,
    List<FallbackStep> fallback,
    Limits limits,
    Resources resources,
    Optional<Ingress> ingress,
    Map<String, Object> values,
    List<String> secrets) {

  /** The stack-level fallback chain when a spec does not set one: the PR's base, then main. */
  public static final List<FallbackStep> DEFAULT_FALLBACK =
      List.of(new FallbackStep.Base(), new FallbackStep.Branch("main"));

  public StackSpec {
    Objects.requireNonNull(name, "name");
    components = List.copyOf(components);
    Objects.requireNonNull(triggers, "triggers");
    Objects.requireNonNull(ttl, "ttl");
    fallback = List.copyOf(fallback);
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(resources, "resources");
    Objects.requireNonNull(ingress, "ingress");
    values = FrozenValues.freeze(values);
    secrets = List.copyOf(secrets);
  }

  /** The component of this name, if any. */
  public Optional<ComponentSpec> component(String componentName) {
    return components.stream().filter(c -> c.name().equals(componentName)).findFirst();
  }

  /**
   * The fallback chain that applies to a component: its own if set, else the stack's; none for a
   * pinned component.
   */
  public List<FallbackStep> fallbackFor(ComponentSpec component) {
    return component.ref() instanceof RefPolicy.FollowBranch follow
        ? follow.fallback().orElse(fallback)
        : List.of();
  }
}

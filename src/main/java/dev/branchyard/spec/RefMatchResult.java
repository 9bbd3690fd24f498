package dev.branchyard.spec;

import java.util.List;

/** The commits chosen for a whole stack, or why some could not be chosen. */
public sealed interface RefMatchResult {

  /** Every component resolved, in the spec's order. */
  record Resolved(List<ResolvedComponent> components) implements RefMatchResult {
    public Resolved {
      components = List.copyOf(components);
    }

    /** The resolution of the named component. */
    public ResolvedComponent component(String name) {
      return components.stream()
          .filter(c -> c.component().equals(name))
          .findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no component " + name));
    }
  }

  /** At least one component could not be resolved; all such components are listed. */
  record Unresolved(List<RefMatchError> errors) implements RefMatchResult {
    public Unresolved {
      if (errors.isEmpty()) {
        throw new IllegalArgumentException("an unresolved stack has at least one error");
      }
      errors = List.copyOf(errors);
    }
  }
}

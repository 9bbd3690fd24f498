package dev.branchyard.spec;

import java.util.Objects;

/** One entry of a fallback chain. In YAML, the word {@code base} stands for {@link Base}. */
public sealed interface FallbackStep {

  /** The branch the pull request targets (its base branch). */
  record Base() implements FallbackStep {
    @Override
    public String toString() {
      return "base";
    }
  }

  /** A branch by name, e.g. {@code main} or {@code release/2}. */
  record Branch(String name) implements FallbackStep {
    public Branch {
      Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
      return name;
    }
  }
}

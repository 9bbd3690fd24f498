package dev.branchyard.spec;

import java.util.List;

/** The outcome of parsing one env spec: a valid stack, or every problem found in it. */
public sealed interface SpecParseResult {

  /** The source name the spec was parsed under. */
  String file();

  /** Errors in source order; empty exactly when the spec is valid. */
  List<SpecError> errors();

  default boolean isValid() {
    return errors().isEmpty();
  }

  /** A spec that passed every check. */
  record Valid(String file, StackSpec spec) implements SpecParseResult {
    @Override
    public List<SpecError> errors() {
      return List.of();
    }
  }

  /** A spec with at least one error; nothing of it should be used. */
  record Invalid(String file, List<SpecError> errors) implements SpecParseResult {
    public Invalid {
      if (errors.isEmpty()) {
        throw new IllegalArgumentException("an invalid spec has at least one error");
      }
      errors = errors.stream().sorted(SpecError.IN_SOURCE_ORDER).toList();
    }
  }
}

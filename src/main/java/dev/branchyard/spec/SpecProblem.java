package dev.branchyard.spec;

import java.util.List;
import java.util.Optional;

/**
 * What is currently wrong with one file of a spec source: its parse errors, or a stack name it
 * shares with another file.
 *
 * @param sourceId the source the file belongs to
 * @param file the file, as its errors name it
 * @param revision the revision the problem was seen at (commit SHA or modification time)
 * @param errors at least one, parse errors first
 * @param kept the last good version of this file's stack, still in use despite the problem
 */
public record SpecProblem(
    String sourceId,
    String file,
    String revision,
    List<SpecError> errors,
    Optional<LoadedSpec> kept) {

  public SpecProblem {
    errors = List.copyOf(errors);
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("a problem has at least one error");
    }
  }

  /** Same errors and same kept spec: a reload that found nothing new to report. */
  boolean sameAs(SpecProblem other) {
    return errors.equals(other.errors) && kept.equals(other.kept);
  }
}

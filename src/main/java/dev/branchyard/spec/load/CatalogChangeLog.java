package dev.branchyard.spec.load;

import dev.branchyard.spec.CatalogChange;
import dev.branchyard.spec.LoadedSpec;
import dev.branchyard.spec.SpecError;
import dev.branchyard.spec.SpecProblem;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Logs what a reload changed in the catalog, and nothing when it changed nothing, so the log shows
 * state changes only: loaded and removed specs at info, problems as warnings with one {@code
 * file:line:column: message} line per error.
 */
public final class CatalogChangeLog {

  private final Logger log;

  public CatalogChangeLog(Logger log) {
    this.log = log;
  }

  public void log(CatalogChange change) {
    for (LoadedSpec spec : change.loaded()) {
      log.infof(
          "loaded spec %s from %s (%s, revision %s)",
          spec.name(), spec.file(), spec.sourceId(), spec.revision());
    }
    for (LoadedSpec spec : change.removed()) {
      log.infof(
          "removed spec %s: %s (%s) no longer defines it",
          spec.name(), spec.file(), spec.sourceId());
    }
    for (SpecProblem problem : change.problems()) {
      int count = problem.errors().size();
      String consequence =
          problem.kept().isPresent()
              ? "keeping the last good version"
              : "no good version of it is loaded";
      log.warnf(
          "%s is invalid (%d error%s, %s revision %s); %s:%n%s",
          problem.file(),
          count,
          count == 1 ? "" : "s",
          problem.sourceId(),
          problem.revision(),
          consequence,
          problem.errors().stream()
              .map(SpecError::toString)
              .collect(Collectors.joining(System.lineSeparator() + "  ", "  ", "")));
    }
    for (SpecProblem problem : change.resolved()) {
      log.infof("%s (%s) has no more problems", problem.file(), problem.sourceId());
    }
  }
}

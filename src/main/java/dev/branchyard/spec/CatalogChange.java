package dev.branchyard.spec;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one update of {@link SpecCatalog} changed; empty when the update found nothing new.
 *
 * @param version the catalog's version after the update
 * @param loaded specs added, or replaced by a new version
 * @param removed specs no longer in the catalog
 * @param problems files with new or different problems
 * @param resolved files whose problems are gone, as their last problem described them
 * @param failed sources that newly failed (or fail differently), with the reason
 * @param recovered sources that work again
 */
public record CatalogChange(
    long version,
    List<LoadedSpec> loaded,
    List<LoadedSpec> removed,
    List<SpecProblem> problems,
    List<SpecProblem> resolved,
    Map<String, String> failed,
    Set<String> recovered) {

  public CatalogChange {
    loaded = List.copyOf(loaded);
    removed = List.copyOf(removed);
    problems = List.copyOf(problems);
    resolved = List.copyOf(resolved);
    failed = Map.copyOf(failed);
    recovered = Set.copyOf(recovered);
  }

  public boolean isEmpty() {
    return loaded.isEmpty()
        && removed.isEmpty()
        && problems.isEmpty()
        && resolved.isEmpty()
        && failed.isEmpty()
        && recovered.isEmpty();
  }
}

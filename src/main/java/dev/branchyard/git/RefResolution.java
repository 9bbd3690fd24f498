package dev.branchyard.git;

import dev.branchyard.spec.RemoteRefs;
import java.util.Map;

/**
 * The outcome of listing several repositories: every repository ends up in exactly one of the two
 * maps, so one unreadable repository never hides the others' refs or errors.
 *
 * @param refs repository (as requested) to its refs
 * @param failures repository (as requested) to why it could not be listed
 */
public record RefResolution(
    Map<String, RemoteRefs> refs, Map<String, GitAccessException> failures) {

  public RefResolution {
    refs = Map.copyOf(refs);
    failures = Map.copyOf(failures);
  }

  /** Whether every repository was listed. */
  public boolean complete() {
    return failures.isEmpty();
  }
}

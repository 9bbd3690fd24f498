package dev.branchyard.spec;

/**
 * Why no commit could be chosen for a component.
 *
 * @param component the component's name
 * @param repo its repo as the spec names it
 * @param message everything that was tried and what exists instead
 */
public record RefMatchError(String component, String repo, String message) {

  /** {@code api (acme/api): no branch 'feature/x', no 'main'; branches available: develop}. */
  @Override
  public String toString() {
    return component + " (" + repo + "): " + message;
  }
}

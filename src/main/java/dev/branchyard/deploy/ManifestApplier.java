package dev.branchyard.deploy;

import java.util.List;
import java.util.Set;

/**
 * Puts rendered objects into an environment's namespace and removes the ones a newer revision no
 * longer renders. Every call is idempotent: re-running it after a crash converges.
 */
public interface ManifestApplier {

  /**
   * Server-side applies {@code manifests} (field manager {@value EnvironmentLabels#FIELD_MANAGER},
   * conflicts forced) in the given order into {@code namespace}, adding the environment and
   * component labels to each.
   *
   * @throws ApplyException when the API server rejects an object; names the object and the reason
   */
  void apply(String namespace, String environment, List<Manifest> manifests) throws ApplyException;

  /**
   * Deletes objects in {@code namespace} labelled as {@code environment}'s whose keys are not in
   * {@code keep}.
   *
   * @return the keys of the objects deleted
   */
  List<Manifest.ObjectKey> prune(String namespace, String environment, Set<Manifest.ObjectKey> keep)
      throws ApplyException;

  /** The API server refused an object, or could not be asked. */
  class ApplyException extends Exception {
    private final boolean retryable;

    public ApplyException(String message, Throwable cause) {
      this(message, cause, false);
    }

    /**
     * @param retryable true when the same call may succeed later unchanged (API server unreachable,
     *     overloaded or failing); false when the objects or the cluster's setup must change first
     */
    public ApplyException(String message, Throwable cause, boolean retryable) {
      super(message, cause);
      this.retryable = retryable;
    }

    public boolean retryable() {
      return retryable;
    }
  }
}

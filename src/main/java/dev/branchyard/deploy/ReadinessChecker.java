package dev.branchyard.deploy;

import java.util.List;

/**
 * Tells whether applied objects are ready (Deployments and StatefulSets available, Jobs complete;
 * other kinds ready once they exist) and, for those that are not, why.
 */
public interface ReadinessChecker {

  /** Looks at the live state of {@code manifests} in {@code namespace}, once (no waiting). */
  Readiness check(String namespace, List<Manifest> manifests);

  /**
   * The verdict for a set of objects.
   *
   * @param notReady one entry per object that is not ready yet or has failed; empty when ready
   */
  record Readiness(List<NotReady> notReady) {
    public Readiness {
      notReady = List.copyOf(notReady);
    }

    public boolean ready() {
      return notReady.isEmpty();
    }

    public boolean failed() {
      return notReady.stream().anyMatch(NotReady::failed);
    }
  }

  /**
   * One object that is not ready.
   *
   * @param component its component
   * @param key the object
   * @param reason short CamelCase reason, e.g. {@code ImagePullBackOff}, {@code ProgressDeadline}
   * @param message for people: which pod, which container, what state, recent events
   * @param failed true when it will not become ready without a change (e.g. a Job that failed, a
   *     Deployment past its progress deadline); false while it may still become ready
   */
  record NotReady(
      String component, Manifest.ObjectKey key, String reason, String message, boolean failed) {}
}

package dev.branchyard.build;

/**
 * Builds one image from a commit and pushes it to the registry: a backend of the builder (a local
 * buildah process, or a Kubernetes Job).
 *
 * <p>Blocks until the build has ended. Interrupting the calling thread cancels the build: its
 * processes are stopped and the result is {@link BuildResult.Reason#CANCELLED}, with the thread's
 * interrupt flag set again. Failures are results, not exceptions, so a queue can record and
 * classify them without a catch per backend.
 */
public interface ImageBuilder {

  /**
   * Builds {@code request.target()} from {@code request.commitSha()} and pushes it.
   *
   * @param log receives the build's output line by line, secret build-arg values masked
   */
  BuildResult build(BuildRequest request, BuildLog log);
}

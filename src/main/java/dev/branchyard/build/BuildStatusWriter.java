package dev.branchyard.build;

/**
 * Writes {@link ImageBuild} statuses to where people and other controllers read them (the
 * resource's status subresource). Writes for one build are applied in the order they were made.
 */
public interface BuildStatusWriter {

  /**
   * Replaces the status of {@code build} with {@code status}. A build deleted meanwhile is not an
   * error: there is nothing left to describe.
   */
  void write(ImageBuild build, ImageBuildStatus status);
}

package dev.branchyard.build;

/** Keeps each build's log (placeholder until the ConfigMap-backed store lands). */
public interface BuildLogStore {

  /** Opens the log of {@code build} for attempt {@code attempt}; closing it marks the end. */
  BuildLogWriter open(ImageBuild build, int attempt);
}

package dev.branchyard.build;

/** Where an image build is; {@code Skipped} means the image was already in the registry. */
public enum ImageBuildPhase {
  Pending,
  Queued,
  Skipped,
  Building,
  Succeeded,
  Failed,
  Cancelled
}

package dev.branchyard.lifecycle;

/** Where an environment is in its life, as shown in {@code kubectl get environments}. */
public enum EnvironmentPhase {
  Pending,
  Queued,
  Resolving,
  Building,
  Deploying,
  Ready,
  Failed,
  Deleting
}

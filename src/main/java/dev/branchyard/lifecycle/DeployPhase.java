package dev.branchyard.lifecycle;

/** Deploy state of one component of an environment. */
public enum DeployPhase {
  Waiting,
  Applying,
  Progressing,
  Ready,
  Failed
}

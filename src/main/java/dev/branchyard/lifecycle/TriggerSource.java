package dev.branchyard.lifecycle;

/** Front end that created or last changed an environment. */
public enum TriggerSource {
  PullRequest,
  Push,
  Chat,
  Api
}

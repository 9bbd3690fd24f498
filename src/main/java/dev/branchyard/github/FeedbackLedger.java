package dev.branchyard.github;

/**
 * Where the fingerprints of the feedback last sent for an environment are recorded, so that a
 * restarted (or newly elected) Branchyard does not send it again.
 */
public interface FeedbackLedger {

  /** Annotation on the Environment holding {@link FeedbackUpdate#formatRecorded} text. */
  String ANNOTATION = "branchyard.dev/github-feedback";

  /**
   * Records what was sent. Best effort: a failure is logged by the caller, and at worst the
   * feedback is sent once more.
   */
  void record(String environment, String fingerprints);
}

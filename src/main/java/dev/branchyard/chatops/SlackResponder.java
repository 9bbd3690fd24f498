package dev.branchyard.chatops;

/**
 * Answers a Slack slash command after the fact, through the {@code response_url} Slack gave with it
 * (valid for 30 minutes, up to 5 answers).
 */
public interface SlackResponder {

  /**
   * Posts {@code text} as a message only the person who typed the command sees.
   *
   * @throws SlackUnavailableException when Slack does not take it
   */
  void respond(String responseUrl, String text);

  /** Slack did not take an answer (unreachable, or a non-2xx answer). */
  class SlackUnavailableException extends RuntimeException {
    public SlackUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}

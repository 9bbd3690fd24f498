package dev.branchyard.chatops;

import java.util.Objects;

/**
 * What became of a chat command, in words for the person who typed it (Markdown that reads well as
 * plain text too: Slack shows it as such).
 *
 * @param result how it went, which decides the PR comment's reaction
 * @param text what happened, or precisely why not
 */
public record CommandReply(Result result, String text) {

  public CommandReply {
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(text, "text");
  }

  /** How a command went. */
  public enum Result {
    /** Carried out (or nothing needed doing, e.g. destroying what is already gone). */
    DONE("+1"),
    /**
     * Not carried out, and the reason is the person's to act on: no permission, no such pull
     * request, an extension past the stack's max, a mistyped command.
     */
    REFUSED("-1"),
    /** Not carried out because something Branchyard depends on failed; worth trying again. */
    FAILED("confused");

    /** The GitHub reaction ({@code content}) put on the comment that asked. */
    public final String reaction;

    Result(String reaction) {
      this.reaction = reaction;
    }
  }

  static CommandReply done(String text) {
    return new CommandReply(Result.DONE, text);
  }

  static CommandReply refused(String text) {
    return new CommandReply(Result.REFUSED, text);
  }

  static CommandReply failed(String text) {
    return new CommandReply(Result.FAILED, text);
  }
}

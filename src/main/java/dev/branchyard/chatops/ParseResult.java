package dev.branchyard.chatops;

import java.util.Objects;

/** What {@link CommandParser} made of a PR comment or a Slack command's text. */
public sealed interface ParseResult
    permits ChatCommand, ParseResult.ParseError, ParseResult.NotACommand {

  /**
   * A {@code /branchyard} command that cannot be carried out as written; the answer to post back.
   *
   * @param message what is wrong, precisely, e.g. {@code extend needs a duration like 8h or 90m;
   *     got 'forever'}
   * @param usage how the command is written (or, for an unknown command, every command)
   */
  record ParseError(String message, String usage) implements ParseResult {

    public ParseError {
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(usage, "usage");
    }
  }

  /** A comment without a {@code /branchyard} line: an ordinary comment, nothing to answer. */
  record NotACommand() implements ParseResult {}
}

package dev.branchyard.chatops;

import dev.branchyard.Pure;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text of a Slack {@code /branchyard} slash command: the pull request first, then the command
 * in the one grammar of {@link CommandParser}: {@code <owner/repo>#<number> <command> [arguments]},
 * e.g. {@code acme/shop-web#42 extend 8h}. The pull request may also be given as its URL ({@code
 * https://github.com/acme/shop-web/pull/42}, as Slack may wrap it: {@code <url>} or {@code
 * <url|label>}). An empty text, or {@code help} alone, asks for the help.
 */
@Pure
public final class SlackCommandText {

  private static final Pattern REFERENCE =
      Pattern.compile("([A-Za-z0-9][A-Za-z0-9-]{0,38})/([A-Za-z0-9._-]{1,100})#([1-9][0-9]{0,9})");

  private static final Pattern URL =
      Pattern.compile(
          "<?https?://[^/\\s]+/([A-Za-z0-9][A-Za-z0-9-]{0,38})/([A-Za-z0-9._-]{1,100})"
              + "/pull/([1-9][0-9]{0,9})/?(?:\\|[^>]*)?>?");

  private SlackCommandText() {}

  /** What a Slack command's text asks for. */
  public sealed interface Request {}

  /** The help, in Slack's form. */
  public record Help() implements Request {}

  /**
   * Text that cannot be carried out as written.
   *
   * @param message what is wrong and how it is written, for an ephemeral answer
   */
  public record Invalid(String message) implements Request {
    public Invalid {
      Objects.requireNonNull(message, "message");
    }
  }

  /**
   * A command on one pull request.
   *
   * @param repo {@code owner/name} as typed
   * @param number the pull request's number
   * @param command what to do
   */
  public record OnPullRequest(String repo, int number, ChatCommand command) implements Request {
    public OnPullRequest {
      Objects.requireNonNull(repo, "repo");
      Objects.requireNonNull(command, "command");
    }
  }

  /** Reads the slash command's {@code text} field. */
  public static Request parse(String text) {
    String trimmed = text.strip();
    if (trimmed.isEmpty()) {
      return new Help();
    }
    String[] firstAndRest = trimmed.split("\\s+", 2);
    String first = firstAndRest[0];
    String rest = firstAndRest.length > 1 ? firstAndRest[1] : "";
    Matcher reference = REFERENCE.matcher(first);
    Matcher url = URL.matcher(first);
    Matcher target = reference.matches() ? reference : url.matches() ? url : null;
    if (target == null) {
      ParseResult parsed = CommandParser.parseSlack(trimmed);
      if (parsed instanceof ChatCommand.Help) {
        return new Help();
      }
      return new Invalid(
          "Which pull request? Name it before the command, as owner/repo#number or its URL: "
              + HelpText.PREFIX
              + " <owner/repo>#<number> "
              + trimmed
              + "\n"
              + HelpText.PREFIX
              + " help shows every command.");
    }
    String repo = target.group(1) + "/" + target.group(2);
    int number = Integer.parseInt(target.group(3));
    ParseResult parsed = CommandParser.parseSlack(rest);
    if (parsed instanceof ParseResult.ParseError error) {
      return new Invalid(error.message() + "\n" + slackUsage(error.usage()));
    }
    if (parsed instanceof ChatCommand command) {
      if (rest.isBlank()) {
        return new Invalid(
            "What should happen to "
                + repo
                + "#"
                + number
                + "? Add a command, e.g. "
                + HelpText.PREFIX
                + " "
                + repo
                + "#"
                + number
                + " status\n"
                + HelpText.PREFIX
                + " help shows every command.");
      }
      return new OnPullRequest(repo, number, command);
    }
    throw new IllegalStateException("the Slack grammar has no " + parsed);
  }

  private static String slackUsage(String usage) {
    return usage
        .lines()
        .map(
            line ->
                line.startsWith(HelpText.PREFIX + " ")
                    ? HelpText.PREFIX
                        + " <owner/repo>#<number>"
                        + line.substring(HelpText.PREFIX.length())
                    : line)
        .reduce((a, b) -> a + "\n" + b)
        .orElse(usage);
  }
}

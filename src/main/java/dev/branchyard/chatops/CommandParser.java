package dev.branchyard.chatops;

import dev.branchyard.Pure;
import dev.branchyard.chatops.HelpText.Verb;
import dev.branchyard.chatops.ParseResult.NotACommand;
import dev.branchyard.chatops.ParseResult.ParseError;
import dev.branchyard.spec.ClosestName;
import dev.branchyard.spec.DurationText;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one grammar of {@code /branchyard} commands, for PR comments and the Slack slash command:
 * {@code <command> [arguments]}, command names in any case, arguments separated by spaces.
 *
 * <p>In a PR comment the command is a line of its own, {@code /branchyard <command> ...}, anywhere
 * in the comment; only the first such line counts, and lines inside fenced code blocks ({@code
 * ```}) do not count, so documenting a command does not run it. Slack hands over only the text
 * after its slash command.
 */
@Pure
public final class CommandParser {

  private static final Pattern COMMAND_LINE =
      Pattern.compile("/branchyard(?:\\s+(.*))?", Pattern.CASE_INSENSITIVE);

  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private CommandParser() {}

  /** The command in a PR comment's body, if it has a {@code /branchyard} line. */
  public static ParseResult parseComment(String body) {
    boolean inCodeBlock = false;
    for (String line : body.split("\\R", -1)) {
      String stripped = line.strip();
      if (stripped.startsWith("```") || stripped.startsWith("~~~")) {
        inCodeBlock = !inCodeBlock;
        continue;
      }
      Matcher command = COMMAND_LINE.matcher(stripped);
      if (!inCodeBlock && command.matches()) {
        return parseWords(command.group(1) == null ? "" : command.group(1));
      }
    }
    return new NotACommand();
  }

  /** The command in a Slack slash command's {@code text} (what follows {@code /branchyard}). */
  public static ParseResult parseSlack(String text) {
    return parseWords(text);
  }

  private static ParseResult parseWords(String text) {
    String trimmed = text.strip();
    if (trimmed.isEmpty()) {
      return new ChatCommand.Help();
    }
    String[] words = trimmed.split("\\s+");
    String name = words[0].toLowerCase(Locale.ROOT);
    List<String> arguments = Arrays.asList(words).subList(1, words.length);
    Optional<Verb> verb = Verb.named(name);
    if (verb.isEmpty()) {
      return unknown(words[0]);
    }
    return switch (verb.get()) {
      case UP -> noArguments(verb.get(), arguments, new ChatCommand.Up());
      case DOWN, DESTROY -> noArguments(verb.get(), arguments, new ChatCommand.Down());
      case STATUS -> noArguments(verb.get(), arguments, new ChatCommand.Status());
      case OK_TO_TEST -> noArguments(verb.get(), arguments, new ChatCommand.OkToTest());
      case HELP -> noArguments(verb.get(), arguments, new ChatCommand.Help());
      case EXTEND -> extend(arguments);
      case REBUILD -> rebuild(arguments);
    };
  }

  private static ParseResult unknown(String name) {
    String commands = "Commands: " + String.join(", ", Verb.words());
    String hint =
        ClosestName.among(name, Verb.words())
            .map(closest -> "; did you mean '" + closest + "'? ")
            .orElse(". ");
    return new ParseError("unknown command '" + name + "'" + hint + commands, HelpText.text());
  }

  private static ParseResult noArguments(Verb verb, List<String> arguments, ChatCommand command) {
    return arguments.isEmpty()
        ? command
        : new ParseError(
            verb.word + " takes no arguments; got '" + String.join(" ", arguments) + "'",
            HelpText.usage(verb));
  }

  private static ParseResult extend(List<String> arguments) {
    String usage = HelpText.usage(Verb.EXTEND);
    if (arguments.isEmpty()) {
      return new ParseError("extend needs a duration like 8h or 90m", usage);
    }
    String given = String.join(" ", arguments);
    if (arguments.size() > 1) {
      return new ParseError(
          "extend needs one duration like 8h or 1h30m, without spaces; got '" + given + "'", usage);
    }
    Optional<Duration> duration = DurationText.parse(given.toLowerCase(Locale.ROOT));
    if (duration.isEmpty()) {
      return new ParseError("extend needs a duration like 8h or 90m; got '" + given + "'", usage);
    }
    if (duration.get().isZero()) {
      return new ParseError("extend needs a duration above zero; got '" + given + "'", usage);
    }
    return new ChatCommand.Extend(duration.get());
  }

  private static ParseResult rebuild(List<String> arguments) {
    String usage = HelpText.usage(Verb.REBUILD);
    if (arguments.isEmpty()) {
      return new ChatCommand.Rebuild(Optional.empty());
    }
    if (arguments.size() > 1) {
      return new ParseError(
          "rebuild takes at most one component; got '" + String.join(" ", arguments) + "'", usage);
    }
    String component = arguments.get(0);
    if (!COMPONENT.matcher(component).matches()) {
      return new ParseError(
          "rebuild takes a component name (lowercase letters, digits and '-'); got '"
              + component
              + "'",
          usage);
    }
    return new ChatCommand.Rebuild(Optional.of(component));
  }
}

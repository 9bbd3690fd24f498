package dev.branchyard.chatops;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * How {@code /branchyard} commands are written, one usage line per command, the same for PR
 * comments and Slack.
 */
public final class HelpText {

  /** The word that starts a command line in a PR comment; also the Slack slash command's name. */
  public static final String PREFIX = "/branchyard";

  private HelpText() {}

  /** The commands, in the order help lists them; {@code destroy} is an alias of {@code down}. */
  enum Verb {
    UP("up", "", "create this pull request's environments, or update them to its latest push"),
    DOWN("down", "", "destroy this pull request's environments"),
    DESTROY("destroy", "", "same as down"),
    EXTEND("extend", " <duration>", "give the environments more time, e.g. 8h, 90m, 1h30m, 2d"),
    REBUILD("rebuild", " [component]", "build the images again (all, or one component's)"),
    STATUS("status", "", "show the environments' state and links"),
    OK_TO_TEST("ok-to-test", "", "maintainers: allow an environment for a fork's pull request"),
    HELP("help", "", "show this help");

    final String word;
    final String arguments;
    final String meaning;

    Verb(String word, String arguments, String meaning) {
      this.word = word;
      this.arguments = arguments;
      this.meaning = meaning;
    }

    static Optional<Verb> named(String word) {
      return Arrays.stream(values()).filter(v -> v.word.equals(word)).findFirst();
    }

    static List<String> words() {
      return Arrays.stream(values()).map(v -> v.word).toList();
    }

    String usage() {
      return PREFIX + " " + word + arguments + "  " + meaning;
    }
  }

  /** One line per command: how it is written, two spaces, what it does. */
  public static List<String> usageLines() {
    return Arrays.stream(Verb.values()).map(Verb::usage).toList();
  }

  /** The whole help: a heading and the usage lines. */
  public static String text() {
    return "Branchyard commands (in a pull request comment, on a line of their own):\n"
        + String.join("\n", usageLines());
  }

  /**
   * The help for Slack, where the pull request comes first: {@code /branchyard
   * <owner/repo>#<number> <command> [arguments]}.
   */
  public static String slackText() {
    return "Branchyard commands in Slack name the pull request first, as owner/repo#number or"
        + " its URL:\n"
        + PREFIX
        + " <owner/repo>#<number> <command> [arguments]\n"
        + "e.g. "
        + PREFIX
        + " acme/shop-web#42 extend 8h\n\n"
        + String.join(
            "\n",
            usageLines().stream()
                .map(line -> PREFIX + " <owner/repo>#<number>" + line.substring(PREFIX.length()))
                .toList())
        + "\n\nYour Slack user must be mapped to your GitHub login; mutating commands need write"
        + " permission on the repository.";
  }

  /** The usage line of one command. */
  static String usage(Verb verb) {
    return verb.usage();
  }
}

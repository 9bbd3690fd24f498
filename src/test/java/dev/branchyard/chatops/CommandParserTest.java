package dev.branchyard.chatops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.branchyard.chatops.ParseResult.NotACommand;
import dev.branchyard.chatops.ParseResult.ParseError;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandParserTest {

  private static final String COMMANDS =
      "Commands: up, down, destroy, extend, rebuild, status, ok-to-test, help";

  @Test
  void readsTheCommandOfTheSamplePullRequestComment() throws IOException {
    String body =
        new ObjectMapper()
            .readTree(Path.of("webhooks/issue_comment.created.json").toFile())
            .at("/comment/body")
            .asText();

    assertThat(CommandParser.parseComment(body))
        .isEqualTo(new ChatCommand.Extend(Duration.ofHours(8)));
  }

  @Test
  void readsEveryCommandOnItsOwnLine() {
    assertThat(CommandParser.parseComment("/branchyard up")).isEqualTo(new ChatCommand.Up());
    assertThat(CommandParser.parseComment("/branchyard down")).isEqualTo(new ChatCommand.Down());
    assertThat(CommandParser.parseComment("/branchyard destroy")).isEqualTo(new ChatCommand.Down());
    assertThat(CommandParser.parseComment("/branchyard status"))
        .isEqualTo(new ChatCommand.Status());
    assertThat(CommandParser.parseComment("/branchyard ok-to-test"))
        .isEqualTo(new ChatCommand.OkToTest());
    assertThat(CommandParser.parseComment("/branchyard help")).isEqualTo(new ChatCommand.Help());
    assertThat(CommandParser.parseComment("/branchyard rebuild"))
        .isEqualTo(new ChatCommand.Rebuild(Optional.empty()));
    assertThat(CommandParser.parseComment("/branchyard rebuild api"))
        .isEqualTo(new ChatCommand.Rebuild(Optional.of("api")));
  }

  @Test
  void findsTheCommandLineAnywhereInTheComment() {
    String comment = "Thanks!\n\n  /branchyard rebuild web  \r\nShould be quick.";

    assertThat(CommandParser.parseComment(comment))
        .isEqualTo(new ChatCommand.Rebuild(Optional.of("web")));
  }

  @Test
  void onlyTheFirstCommandLineCounts() {
    String comment = "/branchyard status\n/branchyard destroy";

    assertThat(CommandParser.parseComment(comment)).isEqualTo(new ChatCommand.Status());
  }

  @Test
  void readsCommandNamesInAnyCase() {
    assertThat(CommandParser.parseComment("/Branchyard DESTROY")).isEqualTo(new ChatCommand.Down());
    assertThat(CommandParser.parseSlack("OK-To-Test")).isEqualTo(new ChatCommand.OkToTest());
    assertThat(CommandParser.parseSlack("extend 8H"))
        .isEqualTo(new ChatCommand.Extend(Duration.ofHours(8)));
  }

  @Test
  void commentWithoutACommandLineIsNotACommand() {
    assertThat(CommandParser.parseComment("LGTM, merging.")).isEqualTo(new NotACommand());
    assertThat(CommandParser.parseComment("")).isEqualTo(new NotACommand());
    assertThat(CommandParser.parseComment("please run /branchyard up for me"))
        .isEqualTo(new NotACommand());
    assertThat(CommandParser.parseComment("/branchyardup")).isEqualTo(new NotACommand());
  }

  @Test
  void commandsQuotedOrInCodeBlocksDoNotRun() {
    String docs = "To tear it down:\n```\n/branchyard destroy\n```\n";
    String quoted = "> /branchyard destroy\nNo, keep it.";

    assertThat(CommandParser.parseComment(docs)).isEqualTo(new NotACommand());
    assertThat(CommandParser.parseComment(quoted)).isEqualTo(new NotACommand());
    assertThat(CommandParser.parseComment(docs + "/branchyard status"))
        .isEqualTo(new ChatCommand.Status());
  }

  @Test
  void slackTextIsTheCommandWithoutThePrefix() {
    assertThat(CommandParser.parseSlack("  extend 1h30m "))
        .isEqualTo(new ChatCommand.Extend(Duration.ofMinutes(90)));
    assertThat(CommandParser.parseSlack("status")).isEqualTo(new ChatCommand.Status());
  }

  @Test
  void bareCommandAsksForHelp() {
    assertThat(CommandParser.parseSlack("")).isEqualTo(new ChatCommand.Help());
    assertThat(CommandParser.parseComment("/branchyard")).isEqualTo(new ChatCommand.Help());
  }

  @Test
  void extendReadsTheUsualDurations() {
    assertThat(CommandParser.parseSlack("extend 8h"))
        .isEqualTo(new ChatCommand.Extend(Duration.ofHours(8)));
    assertThat(CommandParser.parseSlack("extend 90m"))
        .isEqualTo(new ChatCommand.Extend(Duration.ofMinutes(90)));
    assertThat(CommandParser.parseSlack("extend 2d"))
        .isEqualTo(new ChatCommand.Extend(Duration.ofDays(2)));
  }

  @Test
  void extendRejectsWhatIsNotADuration() {
    assertThat(CommandParser.parseSlack("extend forever"))
        .isEqualTo(
            new ParseError(
                "extend needs a duration like 8h or 90m; got 'forever'",
                "/branchyard extend <duration>  give the environments more time, e.g. 8h, 90m,"
                    + " 1h30m, 2d"));
    assertThat(message(CommandParser.parseSlack("extend")))
        .isEqualTo("extend needs a duration like 8h or 90m");
    assertThat(message(CommandParser.parseSlack("extend -1h")))
        .isEqualTo("extend needs a duration like 8h or 90m; got '-1h'");
    assertThat(message(CommandParser.parseSlack("extend 1h 30m")))
        .isEqualTo("extend needs one duration like 8h or 1h30m, without spaces; got '1h 30m'");
  }

  @Test
  void extendRejectsZero() {
    assertThat(message(CommandParser.parseSlack("extend 0h")))
        .isEqualTo("extend needs a duration above zero; got '0h'");
  }

  @Test
  void misspeltCommandGetsASuggestion() {
    ParseResult result = CommandParser.parseComment("/branchyard destory");

    assertThat(result)
        .isEqualTo(
            new ParseError(
                "unknown command 'destory'; did you mean 'destroy'? " + COMMANDS, HelpText.text()));
  }

  @Test
  void unknownCommandListsTheCommands() {
    assertThat(message(CommandParser.parseSlack("deploy-to-prod")))
        .isEqualTo("unknown command 'deploy-to-prod'. " + COMMANDS);
  }

  @Test
  void commandsWithoutArgumentsRejectExtraWords() {
    assertThat(CommandParser.parseSlack("destroy everything"))
        .isEqualTo(
            new ParseError(
                "destroy takes no arguments; got 'everything'",
                "/branchyard destroy  same as down"));
  }

  @Test
  void rebuildTakesAtMostOneComponentNamedLikeOne() {
    assertThat(message(CommandParser.parseSlack("rebuild web api")))
        .isEqualTo("rebuild takes at most one component; got 'web api'");
    assertThat(message(CommandParser.parseSlack("rebuild Web_App")))
        .isEqualTo(
            "rebuild takes a component name (lowercase letters, digits and '-'); got 'Web_App'");
  }

  @Test
  void helpHasAUsageLineForEveryCommand() {
    assertThat(HelpText.usageLines())
        .hasSize(8)
        .allMatch(line -> line.startsWith("/branchyard "))
        .anyMatch(line -> line.startsWith("/branchyard extend <duration>  "))
        .anyMatch(line -> line.startsWith("/branchyard rebuild [component]  "));
    assertThat(HelpText.text()).contains(String.join("\n", HelpText.usageLines()));
  }

  private static String message(ParseResult result) {
    assertThat(result).isInstanceOf(ParseError.class);
    return ((ParseError) result).message();
  }
}

package dev.branchyard.chatops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.chatops.SlackCommandText.Help;
import dev.branchyard.chatops.SlackCommandText.Invalid;
import dev.branchyard.chatops.SlackCommandText.OnPullRequest;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SlackCommandTextTest {

  @Test
  void readsThePullRequestAndTheCommand() {
    assertThat(SlackCommandText.parse("acme/shop-web#42 extend 8h"))
        .isEqualTo(
            new OnPullRequest("acme/shop-web", 42, new ChatCommand.Extend(Duration.ofHours(8))));
    assertThat(SlackCommandText.parse("  acme/shop.web_2#7   REBUILD api "))
        .isEqualTo(
            new OnPullRequest("acme/shop.web_2", 7, new ChatCommand.Rebuild(Optional.of("api"))));
  }

  @Test
  void readsThePullRequestFromItsUrlAsTypedOrAsSlackEscapesIt() {
    OnPullRequest expected = new OnPullRequest("acme/shop-web", 42, new ChatCommand.Status());

    assertThat(SlackCommandText.parse("https://github.com/acme/shop-web/pull/42 status"))
        .isEqualTo(expected);
    assertThat(SlackCommandText.parse("<https://github.com/acme/shop-web/pull/42> status"))
        .isEqualTo(expected);
    assertThat(
            SlackCommandText.parse(
                "<https://github.com/acme/shop-web/pull/42|acme/shop-web#42> status"))
        .isEqualTo(expected);
  }

  @Test
  void emptyTextOrHelpAloneAsksForTheHelp() {
    assertThat(SlackCommandText.parse("")).isEqualTo(new Help());
    assertThat(SlackCommandText.parse("  help ")).isEqualTo(new Help());
    assertThat(SlackCommandText.parse("acme/shop-web#42 help"))
        .isEqualTo(new OnPullRequest("acme/shop-web", 42, new ChatCommand.Help()));
  }

  @Test
  void commandWithoutAPullRequestAsksWhichOne() {
    assertThat(SlackCommandText.parse("extend 8h"))
        .isInstanceOfSatisfying(
            Invalid.class,
            invalid ->
                assertThat(invalid.message())
                    .startsWith("Which pull request?")
                    .contains("/branchyard <owner/repo>#<number> extend 8h"));
  }

  @Test
  void pullRequestWithoutACommandAsksWhatToDo() {
    assertThat(SlackCommandText.parse("acme/shop-web#42"))
        .isInstanceOfSatisfying(
            Invalid.class,
            invalid ->
                assertThat(invalid.message())
                    .contains("What should happen to acme/shop-web#42?")
                    .contains("/branchyard acme/shop-web#42 status"));
  }

  @Test
  void mistypedCommandSaysWhatIsWrongWithTheSlackUsage() {
    assertThat(SlackCommandText.parse("acme/shop-web#42 extend forever"))
        .isInstanceOfSatisfying(
            Invalid.class,
            invalid ->
                assertThat(invalid.message())
                    .contains("extend needs a duration like 8h or 90m; got 'forever'")
                    .contains("/branchyard <owner/repo>#<number> extend <duration>"));
    assertThat(SlackCommandText.parse("acme/shop-web#42 extnd 8h"))
        .isInstanceOfSatisfying(
            Invalid.class,
            invalid -> assertThat(invalid.message()).contains("did you mean 'extend'?"));
  }

  @Test
  void slackHelpShowsThePullRequestBeforeEveryCommand() {
    assertThat(HelpText.slackText())
        .contains("/branchyard acme/shop-web#42 extend 8h")
        .contains("/branchyard <owner/repo>#<number> ok-to-test")
        .contains("mapped to your GitHub login");
  }
}

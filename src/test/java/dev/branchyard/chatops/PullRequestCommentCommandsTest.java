package dev.branchyard.chatops;

import static dev.branchyard.chatops.ChatopsFakes.REPO;
import static dev.branchyard.chatops.ChatopsFakes.pullRequest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.chatops.ChatopsFakes.Approvals;
import dev.branchyard.chatops.ChatopsFakes.Environments;
import dev.branchyard.chatops.ChatopsFakes.Permissions;
import dev.branchyard.chatops.ChatopsFakes.PullRequests;
import dev.branchyard.chatops.ChatopsFakes.Replies;
import dev.branchyard.chatops.PullRequestCommands.PullRequestComment;
import dev.branchyard.github.InMemoryDeliveryLedger;
import dev.branchyard.github.RepoPermissions.Permission;
import dev.branchyard.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PullRequestCommentCommandsTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T07:00:00Z"));
  private final Permissions permissions =
      new Permissions().with("writer", Permission.WRITE).with("reader", Permission.READ);
  private final Environments environments = new Environments(clock);
  private final Replies replies = new Replies();
  private final PullRequestCommentCommands commands =
      new PullRequestCommentCommands(
          new EnvironmentCommands(
              permissions,
              new PullRequests().with(pullRequest(42, false)),
              environments,
              new Approvals(environments),
              ChatopsFakes.catalog(clock),
              clock,
              "http://127.0.0.1:8080"),
          replies,
          new InMemoryDeliveryLedger(100, Duration.ofHours(1), clock));

  @Test
  void commandIsCarriedOutAndAnsweredWithAReactionAndAReplyToTheCommenter() {
    commands.onComment(comment(1001, "writer", "Looks good.\n/branchyard up\n"));

    assertThat(environments.byName).containsOnlyKeys("shop-shop-web-pr42");
    assertThat(replies.reactions).containsExactly("1001:+1");
    assertThat(replies.replies).singleElement().asString().startsWith("@writer `up` on #42:");
  }

  @Test
  void redeliveredCommentIsNotRunTwice() {
    commands.onComment(comment(1001, "writer", "/branchyard down"));
    commands.onComment(comment(1001, "writer", "/branchyard down"));

    assertThat(environments.changes).hasSize(1);
    assertThat(replies.replies).hasSize(1);
    assertThat(replies.reactions).hasSize(1);
  }

  @Test
  void sameCommandInAnotherCommentRunsAgain() {
    commands.onComment(comment(1001, "writer", "/branchyard down"));
    commands.onComment(comment(1002, "writer", "/branchyard down"));

    assertThat(environments.changes).hasSize(2);
  }

  @Test
  void ordinaryCommentGetsNoAnswer() {
    commands.onComment(comment(1001, "writer", "Could you run the branchyard tests?"));

    assertThat(replies.replies).isEmpty();
    assertThat(replies.reactions).isEmpty();
  }

  @Test
  void commentsOfBotsAreNeverCommands() {
    commands.onComment(comment(1001, "branchyard[bot]", "/branchyard down"));

    assertThat(environments.changes).isEmpty();
    assertThat(replies.replies).isEmpty();
  }

  @Test
  void deniedCommandIsAnsweredWithMinusOneAndWhoLacksWhichPermission() {
    commands.onComment(comment(1001, "reader", "/branchyard destroy"));

    assertThat(replies.reactions).containsExactly("1001:-1");
    assertThat(replies.replies)
        .singleElement()
        .asString()
        .contains("@reader cannot run `down`")
        .contains("has read permission on acme/shop-web");
    assertThat(environments.changes).isEmpty();
  }

  @Test
  void mistypedCommandIsAnsweredWithWhatIsWrongAndItsUsage() {
    commands.onComment(comment(1001, "writer", "/branchyard extend forever"));

    assertThat(replies.reactions).containsExactly("1001:-1");
    assertThat(replies.replies)
        .singleElement()
        .asString()
        .contains("extend needs a duration like 8h or 90m; got 'forever'")
        .contains("/branchyard extend <duration>");
  }

  @Test
  void repliesNeverReadAsCommandsThemselves() {
    commands.onComment(comment(1, "writer", "/branchyard help"));
    commands.onComment(comment(2, "writer", "/branchyard deploy"));
    commands.onComment(comment(3, "writer", "/branchyard extend"));
    commands.onComment(comment(4, "reader", "/branchyard up"));
    commands.onComment(comment(5, "writer", "/branchyard status"));

    assertThat(replies.replies).hasSize(5);
    assertThat(replies.replies.get(0)).contains("/branchyard up");
    assertThat(replies.replies.get(3)).startsWith("@reader cannot run");
    assertThat(replies.replies)
        .allSatisfy(
            reply ->
                assertThat(CommandParser.parseComment(reply))
                    .isInstanceOf(ParseResult.NotACommand.class));
  }

  @Test
  void gitHubDownWhileAnsweringDoesNotUndoOrRepeatTheCommand() {
    replies.unavailable = true;

    commands.onComment(comment(1001, "writer", "/branchyard up"));
    commands.onComment(comment(1001, "writer", "/branchyard up"));

    assertThat(environments.byName).containsOnlyKeys("shop-shop-web-pr42");
    assertThat(environments.changes).hasSize(1);
  }

  private static PullRequestComment comment(long id, String author, String body) {
    return new PullRequestComment(REPO, 42, id, author, body, "delivery-" + id);
  }
}

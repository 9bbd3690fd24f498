package dev.branchyard.github;

import com.fasterxml.jackson.databind.JsonNode;
import dev.branchyard.Pure;
import dev.branchyard.chatops.CommandParser;
import dev.branchyard.chatops.ParseResult;
import dev.branchyard.chatops.PullRequestCommands.PullRequestComment;
import java.util.Objects;

/**
 * Reads an {@code issue_comment} event: a new comment on a pull request with a {@code /branchyard}
 * line (as {@link CommandParser} finds it) is a chat command for chatops; anything else is not.
 *
 * <p>Only {@code created} comments count, so editing a comment does not run its command again; and
 * comments by bots (Branchyard's own replies list the commands) never do.
 */
@Pure
public final class IssueComments {

  private IssueComments() {}

  /** What a comment is: a command to hand over, or not one (with the reason). */
  public sealed interface Comment {}

  /**
   * A {@code /branchyard} command to hand over to chatops.
   *
   * @param comment the comment, as chatops takes it
   */
  public record Command(PullRequestComment comment) implements Comment {
    public Command {
      Objects.requireNonNull(comment, "comment");
    }
  }

  /**
   * Not a command.
   *
   * @param reason why, for the log and the delivery's response
   */
  public record NotACommand(String reason) implements Comment {
    public NotACommand {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * What an {@code issue_comment} delivery is.
   *
   * @param body the delivery's JSON body
   * @param deliveryId its {@code X-GitHub-Delivery} id, passed on for chatops' log
   */
  public static Comment read(JsonNode body, String deliveryId) {
    String action = body.path("action").asText("");
    if (!action.equals("created")) {
      return new NotACommand("issue_comment " + action + ": only new comments carry commands");
    }
    if (!body.at("/issue/pull_request").isObject()) {
      return new NotACommand("a comment on an issue, not on a pull request");
    }
    if (body.at("/comment/user/type").asText("").equals("Bot")
        || body.at("/sender/type").asText("").equals("Bot")
        || !body.at("/comment/performed_via_github_app").isMissingNode()
            && !body.at("/comment/performed_via_github_app").isNull()) {
      return new NotACommand("a comment by a bot or app; commands come from people");
    }
    String text = body.at("/comment/body").asText("");
    if (CommandParser.parseComment(text) instanceof ParseResult.NotACommand) {
      return new NotACommand("the comment has no /branchyard line");
    }
    String repo = body.at("/repository/full_name").asText("");
    JsonNode number = body.at("/issue/number");
    JsonNode commentId = body.at("/comment/id");
    String author = body.at("/comment/user/login").asText("");
    if (repo.isEmpty()
        || !number.isIntegralNumber()
        || !commentId.isIntegralNumber()
        || author.isEmpty()) {
      return new NotACommand(
          "malformed issue_comment payload: needs repository.full_name, issue.number, comment.id"
              + " and comment.user.login");
    }
    return new Command(
        new PullRequestComment(repo, number.asInt(), commentId.asLong(), author, text, deliveryId));
  }
}

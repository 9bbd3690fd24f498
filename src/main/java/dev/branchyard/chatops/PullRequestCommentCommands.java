package dev.branchyard.chatops;

import dev.branchyard.github.DeliveryLedger;
import dev.branchyard.github.GitHubConfig;
import dev.branchyard.github.GitHubUnavailableException;
import dev.branchyard.github.InMemoryDeliveryLedger;
import dev.branchyard.github.PullRequestReplies;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import java.time.Clock;
import org.jboss.logging.Logger;

/**
 * {@link PullRequestCommands} for GitHub: parses the comment, carries the command out with {@link
 * EnvironmentCommands} as the commenter, and answers with a reaction on the comment ({@code +1}
 * done, {@code -1} refused or mistyped, {@code confused} failed) and a reply that says what
 * happened or precisely why not.
 *
 * <p>Each comment is acted on once: a comment id seen before (a redelivery) is ignored. Comments by
 * bots (logins ending in {@code [bot]}, Branchyard's own replies among them) are never commands.
 */
@ApplicationScoped
public class PullRequestCommentCommands implements PullRequestCommands {

  private static final Logger LOG = Logger.getLogger(PullRequestCommentCommands.class);

  private final EnvironmentCommands commands;
  private final PullRequestReplies replies;
  private final DeliveryLedger seenComments;

  public PullRequestCommentCommands(
      EnvironmentCommands commands, PullRequestReplies replies, DeliveryLedger seenComments) {
    this.commands = commands;
    this.replies = replies;
    this.seenComments = seenComments;
  }

  /** Remembers comment ids as long as (and as many as) webhook deliveries are remembered. */
  @Inject
  public PullRequestCommentCommands(
      EnvironmentCommands commands, PullRequestReplies replies, GitHubConfig config, Clock clock) {
    this(
        commands,
        replies,
        new InMemoryDeliveryLedger(
            config.deliveries().remember(), config.deliveries().rememberFor(), clock));
  }

  /** The webhook intake fires every {@code issue_comment} command here, off its request thread. */
  void on(@ObservesAsync PullRequestComment comment) {
    try {
      onComment(comment);
    } catch (RuntimeException e) {
      // Nobody awaits the async event's outcome: this log is the only trace of the failure.
      LOG.errorf(
          e,
          "comment %d on %s#%d (delivery %s) could not be handled",
          comment.commentId(),
          comment.repo(),
          comment.number(),
          comment.deliveryId());
    }
  }

  @Override
  public void onComment(PullRequestComment comment) {
    if (comment.author().endsWith("[bot]")) {
      return;
    }
    ParseResult parsed = CommandParser.parseComment(comment.body());
    if (parsed instanceof ParseResult.NotACommand) {
      return;
    }
    if (!seenComments.firstSeen("comment:" + comment.commentId())) {
      LOG.debugf(
          "comment %d on %s#%d already handled; delivery %s ignored",
          comment.commentId(), comment.repo(), comment.number(), comment.deliveryId());
      return;
    }
    CommandReply reply = answer(comment, parsed);
    LOG.infof(
        "%s#%d: comment %d by %s: %s",
        comment.repo(), comment.number(), comment.commentId(), comment.author(), reply.result());
    try {
      replies.react(comment.repo(), comment.commentId(), reply.result().reaction);
      String mention = "@" + comment.author();
      replies.reply(
          comment.repo(),
          comment.number(),
          reply.text().startsWith(mention + " ") ? reply.text() : mention + " " + reply.text());
    } catch (GitHubUnavailableException e) {
      LOG.warnf(
          "could not answer comment %d on %s#%d (%s): %s",
          comment.commentId(), comment.repo(), comment.number(), e.getMessage(), reply.text());
    }
  }

  private CommandReply answer(PullRequestComment comment, ParseResult parsed) {
    if (parsed instanceof ParseResult.ParseError error) {
      return CommandReply.refused(error.message() + "\n```\n" + error.usage() + "\n```");
    }
    return commands.run(comment.repo(), comment.number(), comment.author(), (ChatCommand) parsed);
  }
}

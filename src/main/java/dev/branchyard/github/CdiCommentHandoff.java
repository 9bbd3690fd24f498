package dev.branchyard.github;

import dev.branchyard.chatops.PullRequestCommands.PullRequestComment;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import org.jboss.logging.Logger;

/**
 * {@link CommentHandoff} as a CDI asynchronous event, observed by chatops with
 * {@code @ObservesAsync PullRequestComment}: neither side injects the other, so each builds on its
 * own.
 */
@ApplicationScoped
public class CdiCommentHandoff implements CommentHandoff {

  private static final Logger LOG = Logger.getLogger(CdiCommentHandoff.class);

  private final Event<PullRequestComment> comments;

  public CdiCommentHandoff(Event<PullRequestComment> comments) {
    this.comments = comments;
  }

  @Override
  public void handOff(PullRequestComment comment) {
    comments
        .fireAsync(comment)
        .exceptionally(
            failure -> {
              // The observer's own failure; it answers on the PR itself where it can.
              LOG.warnf(
                  failure,
                  "command in %s#%d (comment %d, delivery %s) failed",
                  comment.repo(),
                  comment.number(),
                  comment.commentId(),
                  comment.deliveryId());
              return comment;
            });
  }
}

package dev.branchyard.github;

import com.fasterxml.jackson.databind.JsonNode;
import dev.branchyard.Pure;
import dev.branchyard.spec.StackSpec;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;

/**
 * Reads a {@code push} event: which branch of which repository moved to which commit, and which
 * stacks that concerns (those the repository triggers). Environments that follow that branch
 * without a pull request (created through a chat command or the API) are moved to the new commit; a
 * push to a pull request's branch is left to its {@code pull_request.synchronize} event.
 */
@Pure
public final class PushEvents {

  private static final String BRANCH_PREFIX = "refs/heads/";

  private PushEvents() {}

  /** What a push means: a branch that moved, or nothing to follow (with the reason). */
  public sealed interface Push {}

  /**
   * Nothing to follow.
   *
   * @param reason why, for the log and the delivery's response
   */
  public record NotFollowed(String reason) implements Push {
    public NotFollowed {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * A branch that moved.
   *
   * @param repo the repository, {@code owner/name}
   * @param branch the branch name, without {@code refs/heads/}
   * @param headSha the commit the branch points at now
   * @param pushedAt when it was pushed ({@code repository.pushed_at}): the request time that keeps
   *     out-of-order deliveries from moving an environment back
   * @param pusher the login (or name) of who pushed
   * @param stacks the stacks the repository triggers
   */
  public record BranchPush(
      String repo,
      String branch,
      String headSha,
      Instant pushedAt,
      String pusher,
      List<String> stacks)
      implements Push {
    public BranchPush {
      Objects.requireNonNull(repo, "repo");
      Objects.requireNonNull(branch, "branch");
      Objects.requireNonNull(headSha, "headSha");
      Objects.requireNonNull(pushedAt, "pushedAt");
      Objects.requireNonNull(pusher, "pusher");
      stacks = List.copyOf(stacks);
    }
  }

  /**
   * The branch push in a {@code push} event, or why there is nothing to do.
   *
   * @param body the delivery's JSON body
   * @param specs the environment specs in use
   * @param receivedAt when the delivery came, for payloads without {@code pushed_at}
   * @return the branch push, or why it is not followed
   */
  public static Push read(JsonNode body, List<StackSpec> specs, Instant receivedAt) {
    String ref = body.path("ref").asText("");
    String repo = body.at("/repository/full_name").asText("");
    String after = body.path("after").asText("");
    if (ref.isEmpty() || repo.isEmpty() || after.isEmpty()) {
      return new NotFollowed("malformed push payload: needs ref, after and repository.full_name");
    }
    if (!ref.startsWith(BRANCH_PREFIX)) {
      return new NotFollowed("push of " + ref + ": only branches are followed");
    }
    String branch = ref.substring(BRANCH_PREFIX.length());
    if (body.path("deleted").asBoolean(false) || after.matches("0{40}")) {
      return new NotFollowed(
          "branch " + branch + " of " + repo + " deleted; its environments stay until their TTL");
    }
    List<String> stacks =
        specs.stream()
            .filter(spec -> PullRequestEvents.triggeredBy(spec, repo))
            .map(StackSpec::name)
            .toList();
    if (stacks.isEmpty()) {
      return new NotFollowed(repo + " triggers no stack");
    }
    String pusher = body.at("/sender/login").asText(body.at("/pusher/name").asText("github"));
    return new BranchPush(
        repo,
        branch,
        after,
        pushedAt(body.at("/repository/pushed_at"), receivedAt),
        pusher,
        stacks);
  }

  /** {@code pushed_at} is epoch seconds in push events (an ISO time in most other events). */
  private static Instant pushedAt(JsonNode node, Instant fallback) {
    if (node.isIntegralNumber()) {
      return Instant.ofEpochSecond(node.asLong());
    }
    if (node.isTextual()) {
      try {
        return Instant.parse(node.asText());
      } catch (DateTimeParseException e) {
        return fallback;
      }
    }
    return fallback;
  }
}

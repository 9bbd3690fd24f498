package dev.branchyard.lifecycle;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The one way the front ends (GitHub webhooks, chat commands, the REST API, the status page) ask
 * for changes to environments. Each call records the change on the {@code Environment} resource and
 * returns at once; the controller does the work. Every call is safe to repeat.
 *
 * <p>What the controller reads from the resource (the contract between front ends and the
 * pipeline):
 *
 * <ul>
 *   <li>{@code spec.trigger}: moved in place by {@link #upsert}; a new head SHA bumps the
 *       generation and the controller rebuilds and re-applies what changed.
 *   <li>annotation {@value #EXPIRES_AT_ANNOTATION}: an extended expiry (RFC 3339) written by {@link
 *       #extend}; the controller takes it as {@code status.expiresAt} when it is later.
 *   <li>annotation {@value #REBUILD_ANNOTATION}: {@code <requested-at RFC 3339>;<component or *>}
 *       written by {@link #rebuild}; the controller rebuilds those images (ignoring the registry
 *       check) and re-applies, once per distinct value.
 *   <li>annotation {@value #REQUESTED_AT_ANNOTATION}: when the newest upsert was asked for (for
 *       GitHub, the pull request's {@code updated_at}); older upserts are ignored, so deliveries
 *       that arrive out of order never move an environment back to an older head.
 * </ul>
 */
public interface EnvironmentRequests {

  /** Label on every Environment: the stack (spec) name. */
  String SPEC_LABEL = "branchyard.dev/spec";

  /** Label: the triggering repository, {@code owner.name} (or a hash when too long for a label). */
  String REPO_LABEL = "branchyard.dev/repo";

  /** Label: the pull request number, when triggered by one. */
  String PULL_REQUEST_LABEL = "branchyard.dev/pull-request";

  /** Annotation: the triggering repository as given ({@code owner/name} or a git URL). */
  String REPO_ANNOTATION = "branchyard.dev/repo";

  String EXPIRES_AT_ANNOTATION = "branchyard.dev/expires-at";
  String REBUILD_ANNOTATION = "branchyard.dev/rebuild";
  String REQUESTED_AT_ANNOTATION = "branchyard.dev/requested-at";

  /**
   * Annotation on the Environment of a fork's pull request: the login of the maintainer (write
   * permission or more) who approved it with {@code /branchyard ok-to-test}. Only environments
   * carrying it are moved to a fork PR's later pushes; fork PRs without one get no environment.
   */
  String FORK_APPROVED_BY_ANNOTATION = "branchyard.dev/fork-approved-by";

  /**
   * Creates the environment of {@code request.specName()} for the trigger, or moves the existing
   * one to the trigger's head. Concurrent upserts for the same environment all succeed and the one
   * with the newest {@code requestedAt} wins.
   */
  Upserted upsert(Upsert request);

  /**
   * Deletes the environments the selector matches (the controller then tears down their
   * namespaces). Deleting what is already gone is not an error.
   *
   * @return the names of the environments whose deletion was requested, possibly none
   */
  List<String> destroy(Selector selector, String reason, String requestedBy);

  /**
   * Deletes the one environment with this name (the controller then tears down its namespace), for
   * front ends that address environments by name (the REST API, the status page). Environments
   * following a branch cannot be told apart by a {@link Selector} (spec and repo match every branch
   * of the repo), hence this.
   *
   * @return false when there is no such environment (nothing to do)
   */
  default boolean destroy(String name, String reason, String requestedBy) {
    throw new UnsupportedOperationException("destroy by name is not supported by " + getClass());
  }

  /**
   * Moves the environment's expiry by {@code by}, bounded by its stack's max TTL.
   *
   * @return the new expiry
   * @throws EnvironmentNotFoundException when there is no such environment
   * @throws ExtensionRefusedException when the stack's max would be passed; its message says how
   *     much is still possible
   * @throws InvalidTtlException when {@code by} is not positive
   */
  Instant extend(String name, Duration by, String requestedBy);

  /**
   * Asks for the images of one component (or of all, when empty) to be built again and the
   * environment re-applied.
   *
   * @throws EnvironmentNotFoundException when there is no such environment
   * @throws IllegalArgumentException when the stack has no such component (the message names the
   *     valid ones)
   */
  void rebuild(String name, Optional<String> component, String requestedBy);

  /**
   * Creates or moves one environment by several upserts at once, as if made one after another in
   * the order of their {@code requestedAt}; at most one write.
   *
   * @param batch upserts that all name the same environment
   * @return what each did, in the order given
   */
  default List<Upserted> upsertAll(List<Upsert> batch) {
    return batch.stream().map(this::upsert).toList();
  }

  /** The environment with this name, if any. */
  Optional<Environment> get(String name);

  /** The environments the selector matches, oldest first. */
  List<Environment> find(Selector selector);

  /**
   * Create or move an environment.
   *
   * @param specName the stack
   * @param trigger what asks for it; {@code repo} and, for pull requests, {@code pullRequest}
   *     decide which environment this is
   * @param ttl the requested time to live ({@code 8h}), or empty for the stack's default
   * @param requestedAt when this was asked for; older requests than the recorded one are ignored
   */
  record Upsert(String specName, Trigger trigger, Optional<String> ttl, Instant requestedAt) {
    public Upsert {
      Objects.requireNonNull(specName, "specName");
      Objects.requireNonNull(trigger, "trigger");
      Objects.requireNonNull(ttl, "ttl");
      Objects.requireNonNull(requestedAt, "requestedAt");
    }
  }

  /**
   * What an upsert did.
   *
   * @param name the environment's name
   * @param outcome created, moved to the new head, unchanged (same head) or ignored as stale
   */
  record Upserted(String name, Outcome outcome) {

    /** What an upsert did. */
    public enum Outcome {
      CREATED,
      UPDATED,
      UNCHANGED,
      STALE
    }
  }

  /**
   * Which environments a request is about; empty parts match everything.
   *
   * @param specName the stack
   * @param repo the triggering repository ({@code owner/name})
   * @param pullRequest the pull request number
   */
  record Selector(Optional<String> specName, Optional<String> repo, Optional<Integer> pullRequest) {
    public Selector {
      Objects.requireNonNull(specName, "specName");
      Objects.requireNonNull(repo, "repo");
      Objects.requireNonNull(pullRequest, "pullRequest");
    }

    public static Selector all() {
      return new Selector(Optional.empty(), Optional.empty(), Optional.empty());
    }

    public static Selector pullRequest(String repo, int number) {
      return new Selector(Optional.empty(), Optional.of(repo), Optional.of(number));
    }
  }
}

package dev.branchyard.chatops;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A well-formed {@code /branchyard} command. Who may run it on which pull request is checked later,
 * against the commenter's permission on the repo.
 */
public sealed interface ChatCommand extends ParseResult {

  /** Create this pull request's environments, or bring them to its latest push. */
  record Up() implements ChatCommand {}

  /** Destroy this pull request's environments ({@code down}, or its alias {@code destroy}). */
  record Down() implements ChatCommand {}

  /**
   * Give the environments more time; the stack's {@code ttl.max} still caps it.
   *
   * @param by how much longer, above zero
   */
  record Extend(Duration by) implements ChatCommand {

    public Extend {
      if (by.isZero() || by.isNegative()) {
        throw new IllegalArgumentException("extend needs a duration above zero");
      }
    }
  }

  /**
   * Build the images again and redeploy.
   *
   * @param component only this component; empty for every component with a build
   */
  record Rebuild(Optional<String> component) implements ChatCommand {

    public Rebuild {
      Objects.requireNonNull(component, "component");
    }
  }

  /** Answer with the environments' state. */
  record Status() implements ChatCommand {}

  /**
   * A maintainer's approval to run a fork's pull request (without the stack's secrets): its code
   * has been looked at.
   */
  record OkToTest() implements ChatCommand {}

  /** Answer with the commands and how they are written. */
  record Help() implements ChatCommand {}
}

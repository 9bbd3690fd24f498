package dev.branchyard.lifecycle;

import dev.branchyard.Pure;
import dev.branchyard.spec.DurationText;
import dev.branchyard.spec.Ttl;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * When an environment expires, and how far {@code /branchyard extend} may push it. An environment
 * lives its requested TTL (or its stack's default) from the last push, and never beyond its stack's
 * max counted from creation. Times are passed in: the caller owns the clock.
 */
@Pure
public final class TtlPolicy {

  private TtlPolicy() {}

  /**
   * The requested TTL in the {@code 8h}, {@code 1h30m}, {@code 3d} format; empty when none was
   * requested (null or blank).
   *
   * @throws InvalidTtlException when the text is not such a duration, or is zero
   */
  public static Optional<Duration> parse(String text) {
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    Duration ttl =
        DurationText.parse(text)
            .orElseThrow(
                () ->
                    new InvalidTtlException(
                        "ttl '"
                            + text
                            + "' is not a duration: write it like 8h, 1h30m or 3d (units d, h, m,"
                            + " s, largest first)"));
    if (ttl.isZero()) {
      throw new InvalidTtlException("ttl '" + text + "' is zero: give a positive duration");
    }
    return Optional.of(ttl);
  }

  /**
   * When an environment created at {@code createdAt} and last pushed to at {@code lastPushAt}
   * expires: the requested TTL (else the stack's default) after the last push, capped at {@code
   * createdAt + max}.
   */
  public static Expiry expiresAt(
      Instant createdAt, Instant lastPushAt, Optional<Duration> requestedTtl, Ttl ttl) {
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(lastPushAt, "lastPushAt");
    Instant from = lastPushAt.isBefore(createdAt) ? createdAt : lastPushAt;
    Duration lifetime = requestedTtl.orElse(ttl.defaultTtl());
    String what = requestedTtl.isPresent() ? "the requested ttl" : "the stack's default ttl";
    Instant wanted = from.plus(lifetime);
    Instant maxAt = createdAt.plus(ttl.max());
    if (wanted.isAfter(maxAt)) {
      return new Expiry(
          maxAt,
          true,
          what
              + " of "
              + DurationText.format(lifetime)
              + " from the last push would end after the max of "
              + DurationText.format(ttl.max())
              + " from creation; expires at the max, "
              + maxAt);
    }
    return new Expiry(
        wanted,
        false,
        "expires " + DurationText.format(lifetime) + " after the last push (" + what + ")");
  }

  /**
   * {@code /branchyard extend <by>}: the current expiry (or now, if that has passed) moved by
   * {@code by}, or a refusal when that would pass {@code createdAt + max}. Never capped silently: a
   * refusal says where the max is and how much extension is still possible.
   */
  public static Extension extend(
      Instant currentExpiresAt, Duration by, Instant createdAt, Instant now, Ttl ttl) {
    if (by.isNegative() || by.isZero()) {
      throw new InvalidTtlException(
          "extend by " + by + " is not an extension: give a positive duration such as 2h");
    }
    Instant from = currentExpiresAt.isBefore(now) ? now : currentExpiresAt;
    Instant wanted = from.plus(by);
    Instant maxAt = createdAt.plus(ttl.max());
    if (!wanted.isAfter(maxAt)) {
      return new Extension.Extended(
          wanted, "extended by " + DurationText.format(by) + "; now expires at " + wanted);
    }
    Duration possible = Duration.between(from, maxAt);
    String rest =
        possible.isNegative() || possible.getSeconds() < 1
            ? "it is already at its max"
            : "at most " + DurationText.format(possible.withNanos(0)) + " more is possible";
    return new Extension.Refused(
        maxAt,
        ttl.max(),
        possible.isNegative() ? Duration.ZERO : possible,
        "cannot extend by "
            + DurationText.format(by)
            + ": environments of this stack live at most "
            + DurationText.format(ttl.max())
            + " from creation, which is reached at "
            + maxAt
            + "; "
            + rest);
  }

  /** When to warn that an environment expires soon. */
  public static Instant warningAt(Instant expiresAt, Duration warnBefore) {
    return expiresAt.minus(warnBefore);
  }

  /**
   * When an environment expires.
   *
   * @param at the expiry time
   * @param capped whether the stack's max cut the wanted lifetime short
   * @param reason why this time, for the status and the timeline
   */
  public record Expiry(Instant at, boolean capped, String reason) {}

  /** What {@link #extend} decided. */
  public sealed interface Extension {

    /** A sentence for the status, the timeline and the chat reply. */
    String reason();

    /**
     * The environment now expires at {@code expiresAt}.
     *
     * @param expiresAt the new expiry time
     * @param reason what happened, for people
     */
    record Extended(Instant expiresAt, String reason) implements Extension {}

    /**
     * The extension would pass the max; nothing changed.
     *
     * @param maxAt when the max is reached (creation plus the stack's max)
     * @param max the stack's max lifetime
     * @param stillPossible the largest extension that would be accepted (zero at the max)
     * @param reason what was refused and why, for people
     */
    record Refused(Instant maxAt, Duration max, Duration stillPossible, String reason)
        implements Extension {}
  }
}

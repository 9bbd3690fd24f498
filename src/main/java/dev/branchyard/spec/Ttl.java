package dev.branchyard.spec;

import java.time.Duration;
import java.util.Objects;

/**
 * How long an environment lives.
 *
 * @param defaultTtl lifetime from creation (and from each push); YAML key {@code default}, default
 *     8h
 * @param max the most {@code /branchyard extend} may reach, counted from creation; default 3d
 */
public record Ttl(Duration defaultTtl, Duration max) {

  public static final Duration DEFAULT_TTL = Duration.ofHours(8);
  public static final Duration DEFAULT_MAX = Duration.ofDays(3);

  public Ttl {
    Objects.requireNonNull(defaultTtl, "defaultTtl");
    Objects.requireNonNull(max, "max");
    if (defaultTtl.compareTo(max) > 0) {
      throw new IllegalArgumentException("ttl default " + defaultTtl + " exceeds max " + max);
    }
  }

  public static Ttl defaults() {
    return new Ttl(DEFAULT_TTL, DEFAULT_MAX);
  }
}

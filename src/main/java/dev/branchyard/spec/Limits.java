package dev.branchyard.spec;

import java.util.Objects;

/**
 * How many environments of one stack may exist at once (the global cap is Branchyard's config).
 *
 * @param maxEnvironments at least 1; default 10
 * @param onLimit what a new PR gets when the stack is at its limit; default {@link OnLimit#QUEUE}
 */
public record Limits(int maxEnvironments, OnLimit onLimit) {

  public static final int DEFAULT_MAX_ENVIRONMENTS = 10;

  public Limits {
    Objects.requireNonNull(onLimit, "onLimit");
    if (maxEnvironments < 1) {
      throw new IllegalArgumentException("maxEnvironments must be at least 1: " + maxEnvironments);
    }
  }

  public static Limits defaults() {
    return new Limits(DEFAULT_MAX_ENVIRONMENTS, OnLimit.QUEUE);
  }

  /** What happens to a new environment when the stack is at its limit. */
  public enum OnLimit {
    /** Wait ({@code Queued}) until another environment of the stack is gone. YAML {@code queue}. */
    QUEUE("queue"),
    /**
     * Destroy the least recently updated environment of the stack to make room, one at a time. YAML
     * {@code evictOldest}.
     */
    EVICT_OLDEST("evictOldest");

    private final String yamlName;

    OnLimit(String yamlName) {
      this.yamlName = yamlName;
    }

    public String yamlName() {
      return yamlName;
    }
  }
}

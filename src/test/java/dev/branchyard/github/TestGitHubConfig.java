package dev.branchyard.github;

import io.quarkus.runtime.configuration.MemorySize;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Optional;

/** A {@link GitHubConfig} for tests that build the intake by hand. */
record TestGitHubConfig(
    Optional<String> webhookSecret, Optional<String> webhookPreviousSecret, long maxBytes)
    implements GitHubConfig {

  static TestGitHubConfig withSecret(String secret) {
    return new TestGitHubConfig(Optional.of(secret), Optional.empty(), 25L * 1024 * 1024);
  }

  @Override
  public MemorySize maxBodySize() {
    return new MemorySize(BigInteger.valueOf(maxBytes));
  }

  @Override
  public Deliveries deliveries() {
    return new Deliveries() {
      @Override
      public int remember() {
        return 1000;
      }

      @Override
      public Duration rememberFor() {
        return Duration.ofHours(24);
      }
    };
  }
}

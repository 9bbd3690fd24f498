package dev.branchyard.github;

import io.quarkus.runtime.configuration.MemorySize;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Optional;

/** A {@link GitHubConfig} for tests that build the intake by hand. */
record TestGitHubConfig(
    Optional<String> webhookSecret,
    Optional<String> webhookPreviousSecret,
    long maxBytes,
    Duration ackWait)
    implements GitHubConfig {

  /** Answers wait (up to 10 s) for the change to be recorded, so they say what happened. */
  static TestGitHubConfig withSecret(String secret) {
    return new TestGitHubConfig(
        Optional.of(secret), Optional.empty(), 25L * 1024 * 1024, Duration.ofSeconds(10));
  }

  TestGitHubConfig withAckWait(Duration wait) {
    return new TestGitHubConfig(webhookSecret, webhookPreviousSecret, maxBytes, wait);
  }

  @Override
  public MemorySize maxBodySize() {
    return new MemorySize(BigInteger.valueOf(maxBytes));
  }

  @Override
  public Intake intake() {
    return new Intake() {
      @Override
      public java.nio.file.Path journalDir() {
        return java.nio.file.Path.of("target", "intake-journal");
      }

      @Override
      public Duration ackWait() {
        return ackWait;
      }

      @Override
      public int maxBacklog() {
        return 1000;
      }

      @Override
      public Duration minWriteInterval() {
        return Duration.ZERO;
      }

      @Override
      public int maxWritesPerSecond() {
        return 1000;
      }

      @Override
      public Duration giveUpAfter() {
        return Duration.ofMinutes(1);
      }
    };
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

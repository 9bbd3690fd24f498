package dev.branchyard.testing;

import dev.branchyard.git.GitConfig;
import io.quarkus.runtime.configuration.MemorySize;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** A {@link GitConfig} for tests that construct the git classes without Quarkus. */
public record TestGitConfig(
    String githubBaseUrl,
    Duration connectTimeout,
    Duration readTimeout,
    int maxParallelism,
    Duration cacheTtl,
    Optional<Path> scratchDir,
    Map<String, Credentials> credentials,
    Mirror mirror)
    implements GitConfig {

  private static final BigInteger GIGABYTE = BigInteger.valueOf(1L << 30);

  /** The defaults of {@link GitConfig}, except timeouts short enough for tests. */
  public static TestGitConfig defaults() {
    return new TestGitConfig(
        "https://github.com",
        Duration.ofSeconds(2),
        Duration.ofSeconds(5),
        8,
        Duration.ofSeconds(10),
        Optional.empty(),
        Map.of(),
        TestMirror.perJvm());
  }

  public TestGitConfig withGithubBaseUrl(String url) {
    return new TestGitConfig(
        url,
        connectTimeout,
        readTimeout,
        maxParallelism,
        cacheTtl,
        scratchDir,
        credentials,
        mirror);
  }

  public TestGitConfig withReadTimeout(Duration timeout) {
    return new TestGitConfig(
        githubBaseUrl,
        connectTimeout,
        timeout,
        maxParallelism,
        cacheTtl,
        scratchDir,
        credentials,
        mirror);
  }

  public TestGitConfig withMaxParallelism(int parallelism) {
    return new TestGitConfig(
        githubBaseUrl,
        connectTimeout,
        readTimeout,
        parallelism,
        cacheTtl,
        scratchDir,
        credentials,
        mirror);
  }

  public TestGitConfig withCacheTtl(Duration ttl) {
    return new TestGitConfig(
        githubBaseUrl,
        connectTimeout,
        readTimeout,
        maxParallelism,
        ttl,
        scratchDir,
        credentials,
        mirror);
  }

  public TestGitConfig withScratchDir(Path dir) {
    return new TestGitConfig(
        githubBaseUrl,
        connectTimeout,
        readTimeout,
        maxParallelism,
        cacheTtl,
        Optional.of(dir),
        credentials,
        mirror);
  }

  /** Checkouts keep their mirrors in {@code dir} (a directory of the test's own). */
  public TestGitConfig withMirrorDir(Path dir) {
    return withMirror(new TestMirror(true, Optional.of(dir), 32, new MemorySize(GIGABYTE)));
  }

  /** Every checkout fetches its commit into a scratch repository, as without mirrors. */
  public TestGitConfig withoutMirrors() {
    return withMirror(new TestMirror(false, Optional.empty(), 32, new MemorySize(GIGABYTE)));
  }

  public TestGitConfig withMirror(Mirror settings) {
    return new TestGitConfig(
        githubBaseUrl,
        connectTimeout,
        readTimeout,
        maxParallelism,
        cacheTtl,
        scratchDir,
        credentials,
        settings);
  }

  public TestGitConfig withToken(String host, String token) {
    return withCredentials(
        host, new TestCredentials(Optional.of(token), Optional.empty(), Optional.empty()));
  }

  public TestGitConfig withUsernamePassword(String host, String username, String password) {
    return withCredentials(
        host, new TestCredentials(Optional.empty(), Optional.of(username), Optional.of(password)));
  }

  private TestGitConfig withCredentials(String host, Credentials entry) {
    Map<String, Credentials> all = new HashMap<>(credentials);
    all.put(host, entry);
    return new TestGitConfig(
        githubBaseUrl,
        connectTimeout,
        readTimeout,
        maxParallelism,
        cacheTtl,
        scratchDir,
        Map.copyOf(all),
        mirror);
  }

  /** {@link GitConfig.Mirror} as a record. */
  public record TestMirror(boolean enabled, Optional<Path> dir, int maxRepos, MemorySize maxSize)
      implements Mirror {

    private static Path perJvmDir;

    /**
     * Mirrors in a directory of this JVM's own, deleted when it exits: never the directory of a
     * Branchyard running beside the tests.
     */
    static synchronized TestMirror perJvm() {
      if (perJvmDir == null) {
        try {
          perJvmDir = Files.createTempDirectory(Path.of("/tmp"), "by-mirrors-");
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        Path dir = perJvmDir;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
      }
      return new TestMirror(true, Optional.of(perJvmDir), 32, new MemorySize(GIGABYTE));
    }

    private static void deleteTree(Path dir) {
      try (Stream<Path> paths = Files.walk(dir)) {
        paths
            .sorted(Comparator.reverseOrder())
            .forEach(
                p -> {
                  try {
                    Files.deleteIfExists(p);
                  } catch (IOException ignored) {
                    // Best effort at exit.
                  }
                });
      } catch (IOException | UncheckedIOException ignored) {
        // Best effort at exit.
      }
    }
  }

  public record TestCredentials(
      Optional<String> token, Optional<String> username, Optional<String> password)
      implements Credentials {}
}

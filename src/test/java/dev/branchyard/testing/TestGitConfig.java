package dev.branchyard.testing;

import dev.branchyard.git.GitConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A {@link GitConfig} for tests that construct the git classes without Quarkus. */
public record TestGitConfig(
    String githubBaseUrl,
    Duration connectTimeout,
    Duration readTimeout,
    int maxParallelism,
    Duration cacheTtl,
    Optional<Path> scratchDir,
    Map<String, Credentials> credentials)
    implements GitConfig {

  /** The defaults of {@link GitConfig}, except timeouts short enough for tests. */
  public static TestGitConfig defaults() {
    return new TestGitConfig(
        "https://github.com",
        Duration.ofSeconds(2),
        Duration.ofSeconds(5),
        8,
        Duration.ofSeconds(10),
        Optional.empty(),
        Map.of());
  }

  public TestGitConfig withGithubBaseUrl(String url) {
    return new TestGitConfig(
        url, connectTimeout, readTimeout, maxParallelism, cacheTtl, scratchDir, credentials);
  }

  public TestGitConfig withReadTimeout(Duration timeout) {
    return new TestGitConfig(
        githubBaseUrl, connectTimeout, timeout, maxParallelism, cacheTtl, scratchDir, credentials);
  }

  public TestGitConfig withMaxParallelism(int parallelism) {
    return new TestGitConfig(
        githubBaseUrl, connectTimeout, readTimeout, parallelism, cacheTtl, scratchDir, credentials);
  }

  public TestGitConfig withCacheTtl(Duration ttl) {
    return new TestGitConfig(
        githubBaseUrl, connectTimeout, readTimeout, maxParallelism, ttl, scratchDir, credentials);
  }

  public TestGitConfig withScratchDir(Path dir) {
    return new TestGitConfig(
        githubBaseUrl,
        connectTimeout,
        readTimeout,
        maxParallelism,
        cacheTtl,
        Optional.of(dir),
        credentials);
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
        Map.copyOf(all));
  }

  public record TestCredentials(
      Optional<String> token, Optional<String> username, Optional<String> password)
      implements Credentials {}
}

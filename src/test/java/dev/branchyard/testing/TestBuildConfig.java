package dev.branchyard.testing;

import dev.branchyard.build.BuildConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A {@link BuildConfig} for tests that construct the build classes without Quarkus. */
public record TestBuildConfig(
    String registry,
    Optional<String> imagePrefix,
    Duration connectTimeout,
    Duration requestTimeout,
    Duration cacheTtl,
    int cacheMaxEntries,
    Map<String, Registry> registries,
    Duration timeout,
    Local local)
    implements BuildConfig {

  /** The defaults of {@link BuildConfig}, except timeouts short enough for tests. */
  public static TestBuildConfig defaults() {
    return new TestBuildConfig(
        "localhost:5000",
        Optional.empty(),
        Duration.ofSeconds(2),
        Duration.ofSeconds(5),
        Duration.ofMinutes(5),
        1000,
        Map.of(),
        Duration.ofMinutes(5),
        new TestLocal(Optional.empty()));
  }

  /** Adds settings for one registry, keyed by {@code host[:port]}. */
  public TestBuildConfig withRegistry(
      String key, boolean insecure, String username, String password) {
    Map<String, Registry> all = new HashMap<>(registries);
    all.put(
        key,
        new TestRegistry(insecure, Optional.ofNullable(username), Optional.ofNullable(password)));
    return new TestBuildConfig(
        registry,
        imagePrefix,
        connectTimeout,
        requestTimeout,
        cacheTtl,
        cacheMaxEntries,
        all,
        timeout,
        local);
  }

  public TestBuildConfig withCacheTtl(Duration ttl) {
    return new TestBuildConfig(
        registry,
        imagePrefix,
        connectTimeout,
        requestTimeout,
        ttl,
        cacheMaxEntries,
        registries,
        timeout,
        local);
  }

  /** Limits building and pushing one image to {@code buildTimeout}. */
  public TestBuildConfig withTimeout(Duration buildTimeout) {
    return new TestBuildConfig(
        registry,
        imagePrefix,
        connectTimeout,
        requestTimeout,
        cacheTtl,
        cacheMaxEntries,
        registries,
        buildTimeout,
        local);
  }

  /** Puts the local builder's storage and checkouts under {@code workDir}. */
  public TestBuildConfig withLocalWorkDir(Path workDir) {
    return new TestBuildConfig(
        registry,
        imagePrefix,
        connectTimeout,
        requestTimeout,
        cacheTtl,
        cacheMaxEntries,
        registries,
        timeout,
        new TestLocal(Optional.of(workDir)));
  }

  // The queue's settings reach BuildCoordinator as BuildCoordinator.Settings; tests that vary them
  // build that record directly, so here they are the defaults of BuildConfig.
  @Override
  public int concurrency() {
    return 2;
  }

  @Override
  public int maxAttempts() {
    return 3;
  }

  @Override
  public Duration retryDelay() {
    return Duration.ofSeconds(30);
  }

  @Override
  public Duration registryRetryDelay() {
    return Duration.ofSeconds(15);
  }

  /** The local builder's settings. */
  public record TestLocal(Optional<Path> workDir) implements Local {}

  /** One registry's settings. */
  public record TestRegistry(boolean insecure, Optional<String> username, Optional<String> password)
      implements Registry {}
}

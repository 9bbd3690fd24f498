package dev.branchyard.testing;

import dev.branchyard.build.BuildConfig;
import io.quarkus.runtime.configuration.MemorySize;
import java.math.BigInteger;
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
    Local local,
    Logs logs)
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
        new TestLocal(Optional.empty()),
        new TestLogs(512 * 1024, Duration.ofSeconds(1), Duration.ofMinutes(15)));
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
        local,
        logs);
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
        local,
        logs);
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
        local,
        logs);
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
        new TestLocal(Optional.of(workDir)),
        logs);
  }

  /** Keeps build logs within {@code maxBytes}, written every {@code flushInterval}. */
  public TestBuildConfig withLogs(int maxBytes, Duration flushInterval) {
    return new TestBuildConfig(
        registry,
        imagePrefix,
        connectTimeout,
        requestTimeout,
        cacheTtl,
        cacheMaxEntries,
        registries,
        timeout,
        local,
        new TestLogs(maxBytes, flushInterval, logs.retryFor()));
  }

  /** The local builder's settings. */
  public record TestLocal(Optional<Path> workDir) implements Local {}

  /** One registry's settings. */
  public record TestRegistry(boolean insecure, Optional<String> username, Optional<String> password)
      implements Registry {}

  /** Build log settings; {@code maxBytes} in bytes. */
  public record TestLogs(long maxBytes, Duration flushInterval, Duration retryFor) implements Logs {
    @Override
    public MemorySize maxSize() {
      return new MemorySize(BigInteger.valueOf(maxBytes));
    }
  }
}

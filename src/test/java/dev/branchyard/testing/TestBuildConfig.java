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
    Backend backend,
    Local local,
    TestJob job,
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
        Backend.LOCAL,
        new TestLocal(Optional.empty()),
        TestJob.defaults(),
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
        backend,
        local,
        job,
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
        backend,
        local,
        job,
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
        backend,
        local,
        job,
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
        backend,
        new TestLocal(Optional.of(workDir)),
        job,
        logs);
  }

  /** Selects the {@code kubernetes-job} backend with {@code jobSettings}. */
  public TestBuildConfig withJob(TestJob jobSettings) {
    return new TestBuildConfig(
        registry,
        imagePrefix,
        connectTimeout,
        requestTimeout,
        cacheTtl,
        cacheMaxEntries,
        registries,
        timeout,
        Backend.KUBERNETES_JOB,
        local,
        jobSettings,
        logs);
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
        backend,
        local,
        job,
        new TestLogs(maxBytes, flushInterval, logs.retryFor()));
  }

  /** The defaults of {@link BuildConfig.Prune}: prune hourly, keep finished builds a week. */
  @Override
  public Prune prune() {
    return new TestPrune(Duration.ofHours(1), Duration.ofDays(7));
  }

  public record TestPrune(Duration interval, Duration keepFinished) implements Prune {}

  /** The build logs' settings. */
  public record TestLogs(long maxBytes, Duration flushInterval, Duration retryFor) implements Logs {
    @Override
    public MemorySize maxSize() {
      return new MemorySize(BigInteger.valueOf(maxBytes));
    }
  }

  /** The local builder's settings. */
  public record TestLocal(Optional<Path> workDir) implements Local {}

  /** One registry's settings. */
  public record TestRegistry(boolean insecure, Optional<String> username, Optional<String> password)
      implements Registry {}

  /** The Job builder's settings. */
  public record TestJob(
      String gitImage,
      String buildahImage,
      TestResources resources,
      Duration ttlAfterFinished,
      Optional<String> registrySecret,
      Optional<String> serviceAccount,
      Duration pollInterval)
      implements Job {

    /** The defaults of {@link BuildConfig.Job}, except a poll interval short enough for tests. */
    public static TestJob defaults() {
      return new TestJob(
          "docker.io/alpine/git:v2.47.2",
          "quay.io/buildah/stable:v1.38.1",
          new TestResources(
              new TestRequests("500m", "1Gi", Optional.empty()),
              new TestLimits(Optional.empty(), "4Gi", Optional.empty())),
          Duration.ofHours(1),
          Optional.empty(),
          Optional.empty(),
          Duration.ofMillis(200));
    }

    public TestJob withRegistrySecret(String secret) {
      return new TestJob(
          gitImage,
          buildahImage,
          resources,
          ttlAfterFinished,
          Optional.of(secret),
          serviceAccount,
          pollInterval);
    }

    public TestJob withServiceAccount(String account) {
      return new TestJob(
          gitImage,
          buildahImage,
          resources,
          ttlAfterFinished,
          registrySecret,
          Optional.of(account),
          pollInterval);
    }

    public TestJob withResources(TestResources newResources) {
      return new TestJob(
          gitImage,
          buildahImage,
          newResources,
          ttlAfterFinished,
          registrySecret,
          serviceAccount,
          pollInterval);
    }
  }

  /** Requests and limits of build containers. */
  public record TestResources(TestRequests requests, TestLimits limits) implements Resources {}

  public record TestRequests(String cpu, String memory, Optional<String> ephemeralStorage)
      implements Requests {}

  public record TestLimits(Optional<String> cpu, String memory, Optional<String> ephemeralStorage)
      implements Limits {}
}

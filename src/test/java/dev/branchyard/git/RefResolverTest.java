package dev.branchyard.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.branchyard.git.GitAccessException.Reason;
import dev.branchyard.spec.RemoteRefs;
import dev.branchyard.testing.MutableClock;
import dev.branchyard.testing.TestGitConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RefResolverTest {

  private static final Duration TTL = Duration.ofSeconds(10);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final FakeGitRefs git = new FakeGitRefs();
  private final ExecutorService callers = Executors.newCachedThreadPool();
  private RefResolver resolver = resolver(8);

  @AfterEach
  void closeResolver() {
    git.releaseAll();
    resolver.close();
    callers.shutdownNow();
  }

  private RefResolver resolver(int parallelism) {
    return new RefResolver(
        git, TestGitConfig.defaults().withMaxParallelism(parallelism).withCacheTtl(TTL), clock);
  }

  @Test
  void returnsTheRefsOfEveryRepositoryAndEveryFailureNotJustTheFirst() {
    git.failing("acme/gone", Reason.NOT_FOUND);
    git.failing("acme/secret", Reason.AUTH_FAILED);

    RefResolution resolution =
        resolver.resolveAll(List.of("acme/api", "acme/gone", "acme/web", "acme/secret"));

    assertThat(resolution.refs()).containsOnlyKeys("acme/api", "acme/web");
    assertThat(resolution.refs().get("acme/api").branches()).containsEntry("main", sha("acme/api"));
    assertThat(resolution.failures()).containsOnlyKeys("acme/gone", "acme/secret");
    assertThat(resolution.failures().get("acme/gone").reason()).isEqualTo(Reason.NOT_FOUND);
    assertThat(resolution.failures().get("acme/secret").reason()).isEqualTo(Reason.AUTH_FAILED);
    assertThat(resolution.complete()).isFalse();
  }

  @Test
  void listsARepositoryNamedTwiceInOneRequestOnce() {
    RefResolution resolution = resolver.resolveAll(List.of("acme/api", "acme/api"));

    assertThat(resolution.refs()).containsOnlyKeys("acme/api");
    assertThat(git.calls("acme/api")).isEqualTo(1);
  }

  @Test
  void reusesAListingWithinTheCacheTtl() throws GitAccessException {
    resolver.resolve("acme/api");
    clock.advance(TTL.minusMillis(1));

    resolver.resolve("acme/api");
    resolver.resolveAll(List.of("acme/api"));

    assertThat(git.calls("acme/api")).isEqualTo(1);
  }

  @Test
  void listsAgainOnceTheCacheTtlHasPassed() throws GitAccessException {
    resolver.resolve("acme/api");
    clock.advance(TTL);

    resolver.resolve("acme/api");

    assertThat(git.calls("acme/api")).isEqualTo(2);
  }

  @Test
  void listsAgainAfterTheCacheIsInvalidated() throws GitAccessException {
    resolver.resolve("acme/api");

    resolver.invalidateAll();
    resolver.resolve("acme/api");

    assertThat(git.calls("acme/api")).isEqualTo(2);
  }

  @Test
  void retriesAFailedRepositoryInsteadOfCachingTheFailure() throws GitAccessException {
    git.failing("acme/api", Reason.NETWORK);
    assertThatThrownBy(() -> resolver.resolve("acme/api"))
        .isInstanceOfSatisfying(
            GitAccessException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NETWORK));

    git.healthy("acme/api");

    assertThat(resolver.resolve("acme/api").branches()).containsKey("main");
    assertThat(git.calls("acme/api")).isEqualTo(2);
  }

  @Test
  void sharesOneInFlightListingBetweenConcurrentRequestsForTheSameRepository() throws Exception {
    git.blockUntilReleased();
    Future<RemoteRefs> firstCaller = callers.submit(() -> resolver.resolve("acme/api"));
    git.awaitStarted(1);

    Future<RefResolution> secondCaller =
        callers.submit(() -> resolver.resolveAll(List.of("acme/api")));
    git.releaseAll();

    assertThat(firstCaller.get(10, TimeUnit.SECONDS).branches()).containsKey("main");
    assertThat(secondCaller.get(10, TimeUnit.SECONDS).refs()).containsKey("acme/api");
    assertThat(git.calls("acme/api")).isEqualTo(1);
  }

  @Test
  void neverListsMoreRepositoriesAtOnceThanTheMaxParallelism() throws Exception {
    resolver.close();
    resolver = resolver(3);
    git.blockUntilReleased();
    List<String> repos = IntStream.range(0, 10).mapToObj(i -> "acme/repo-" + i).toList();

    Future<RefResolution> resolution = callers.submit(() -> resolver.resolveAll(repos));
    git.awaitStarted(3);
    assertThat(git.active()).isEqualTo(3);
    git.releaseAll();

    assertThat(resolution.get(10, TimeUnit.SECONDS).refs()).containsOnlyKeys(repos);
    assertThat(git.maxActive()).isEqualTo(3);
  }

  @Test
  void failsRatherThanWaitingForeverOnceClosed() {
    resolver.close();

    assertThatThrownBy(() -> resolver.resolve("acme/api"))
        .isInstanceOf(GitAccessException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void rejectsAMaxParallelismBelowOne() {
    assertThatThrownBy(() -> resolver(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("branchyard.git.max-parallelism");
  }

  private static String sha(String repo) {
    return String.format("%040x", Math.abs(repo.hashCode()));
  }

  /** A {@link GitRefs} that counts calls, can fail per repo, and can hold calls until released. */
  private static final class FakeGitRefs implements GitRefs {

    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, Reason> failures = new ConcurrentHashMap<>();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger maxActive = new AtomicInteger();
    private final Semaphore started = new Semaphore(0);
    private volatile CountDownLatch release = new CountDownLatch(0);

    void failing(String repo, Reason reason) {
      failures.put(repo, reason);
    }

    void healthy(String repo) {
      failures.remove(repo);
    }

    void blockUntilReleased() {
      release = new CountDownLatch(1);
    }

    void releaseAll() {
      release.countDown();
    }

    /** Waits (without sleeping) until {@code count} listings have started. */
    void awaitStarted(int count) throws InterruptedException {
      if (!started.tryAcquire(count, 10, TimeUnit.SECONDS)) {
        throw new AssertionError("fewer than " + count + " listings started");
      }
    }

    int calls(String repo) {
      AtomicInteger count = calls.get(repo);
      return count == null ? 0 : count.get();
    }

    int active() {
      return active.get();
    }

    int maxActive() {
      return maxActive.get();
    }

    @Override
    public RemoteRefs list(String repo) throws GitAccessException {
      calls.computeIfAbsent(repo, r -> new AtomicInteger()).incrementAndGet();
      maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
      started.release();
      try {
        if (!release.await(10, TimeUnit.SECONDS)) {
          throw new AssertionError("listing of " + repo + " was never released");
        }
        Reason failure = failures.get(repo);
        if (failure != null) {
          throw new GitAccessException(repo, failure, "fake " + failure, null);
        }
        return new RemoteRefs(repo, Map.of("main", sha(repo)), Map.of());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new GitAccessException(repo, Reason.NETWORK, "interrupted", e);
      } finally {
        active.decrementAndGet();
      }
    }
  }
}

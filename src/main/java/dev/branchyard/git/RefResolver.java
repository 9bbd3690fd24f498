package dev.branchyard.git;

import dev.branchyard.git.GitAccessException.Reason;
import dev.branchyard.spec.RemoteRefs;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.MDC;

/**
 * Lists the refs of many repositories at once: in parallel on a bounded pool, each repository at
 * most once per {@code branchyard.git.cache-ttl}, and concurrent requests for one repository share
 * a single listing. Failures are never cached, so the next resolution retries them.
 */
@ApplicationScoped
public class RefResolver implements AutoCloseable {

  private final GitRefs gitRefs;
  private final Clock clock;
  private final Duration ttl;
  private final ThreadPoolExecutor pool;
  private final Map<String, Listing> listings = new ConcurrentHashMap<>();

  @Inject
  public RefResolver(GitRefs gitRefs, GitConfig config, Clock clock) {
    if (config.maxParallelism() < 1) {
      throw new IllegalArgumentException(
          "branchyard.git.max-parallelism must be at least 1, was " + config.maxParallelism());
    }
    this.gitRefs = gitRefs;
    this.clock = clock;
    this.ttl = config.cacheTtl();
    this.pool =
        new ThreadPoolExecutor(
            config.maxParallelism(),
            config.maxParallelism(),
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            daemonThreads());
    // Idle between reconciles: let the threads go rather than pin max-parallelism of them.
    pool.allowCoreThreadTimeOut(true);
  }

  /** Lists every repository; waits until each has refs or a failure. */
  public RefResolution resolveAll(Collection<String> repos) {
    Map<String, CompletableFuture<RemoteRefs>> pending = new LinkedHashMap<>();
    for (String repo : new LinkedHashSet<>(repos)) {
      pending.put(repo, listingOf(repo));
    }
    Map<String, RemoteRefs> refs = new LinkedHashMap<>();
    Map<String, GitAccessException> failures = new LinkedHashMap<>();
    for (Map.Entry<String, CompletableFuture<RemoteRefs>> entry : pending.entrySet()) {
      try {
        refs.put(entry.getKey(), await(entry.getKey(), entry.getValue()));
      } catch (GitAccessException e) {
        failures.put(entry.getKey(), e);
      }
    }
    return new RefResolution(refs, failures);
  }

  /** Lists one repository, from the cache when it was listed less than the TTL ago. */
  public RemoteRefs resolve(String repo) throws GitAccessException {
    return await(repo, listingOf(repo));
  }

  /** Forgets every cached listing, e.g. after a push webhook says refs changed. */
  public void invalidateAll() {
    listings.clear();
  }

  /** Forgets one repository's cached listing. */
  public void invalidate(String repo) {
    listings.remove(repo);
  }

  @PreDestroy
  @Override
  public void close() {
    pool.shutdownNow();
  }

  private CompletableFuture<RemoteRefs> listingOf(String repo) {
    Instant now = clock.instant();
    Listing fresh = new Listing();
    Listing current =
        listings.compute(
            repo, (r, existing) -> existing != null && existing.usableAt(now) ? existing : fresh);
    if (current == fresh) {
      try {
        pool.execute(() -> list(repo, fresh));
      } catch (RejectedExecutionException closed) {
        listings.remove(repo, fresh);
        fresh.result.completeExceptionally(
            new GitAccessException(repo, Reason.PROTOCOL, "the resolver is closed", closed));
      }
    }
    return current.result;
  }

  private void list(String repo, Listing listing) {
    MDC.put("repo", repo);
    try {
      RemoteRefs refs = gitRefs.list(repo);
      // Set before completing, so a waiter that sees the result also sees it as fresh.
      listing.expiresAt = clock.instant().plus(ttl);
      listing.result.complete(refs);
    } catch (GitAccessException e) {
      listings.remove(repo, listing);
      listing.result.completeExceptionally(e);
    } catch (RuntimeException e) {
      listings.remove(repo, listing);
      listing.result.completeExceptionally(
          new GitAccessException(repo, Reason.PROTOCOL, "listing failed: " + e, e));
    } finally {
      MDC.remove("repo");
    }
  }

  private static RemoteRefs await(String repo, CompletableFuture<RemoteRefs> result)
      throws GitAccessException {
    try {
      return result.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GitAccessException(repo, Reason.NETWORK, "interrupted while listing refs", e);
    } catch (ExecutionException | CompletionException | CancellationException e) {
      if (e.getCause() instanceof GitAccessException gitAccess) {
        throw gitAccess;
      }
      throw new GitAccessException(repo, Reason.PROTOCOL, "listing failed: " + e, e);
    }
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, "branchyard-ls-remote-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** One repository's listing: in flight until {@code result} completes, then fresh until TTL. */
  private static final class Listing {
    final CompletableFuture<RemoteRefs> result = new CompletableFuture<>();
    volatile Instant expiresAt;

    boolean usableAt(Instant now) {
      if (!result.isDone()) {
        return true;
      }
      // Read after isDone: a successful listing sets expiresAt before completing.
      Instant expiry = expiresAt;
      return expiry != null && now.isBefore(expiry);
    }
  }
}

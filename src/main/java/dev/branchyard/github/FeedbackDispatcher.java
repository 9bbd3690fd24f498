package dev.branchyard.github;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Sends {@link FeedbackUpdate}s to GitHub off the caller's thread, on a few worker threads.
 *
 * <ul>
 *   <li>Coalescing: per environment, at most one update waits; a newer one replaces it. Updates of
 *       one environment are sent by one worker at a time, in order.
 *   <li>Only what changed: each piece (status, comment, deployment) is sent only when its
 *       fingerprint differs from the last one sent; what was sent is recorded in the {@link
 *       FeedbackLedger} so a restart does not send it again.
 *   <li>Retries: a passing failure (5xx, network) is retried with exponential backoff and jitter; a
 *       rate limit holds every environment's feedback until GitHub's reset time ({@code
 *       Retry-After}, {@code X-RateLimit-Reset}); a refusal (bad input, no permission, not found)
 *       is logged and not retried until the environment changes again.
 *   <li>Leadership: only the leader sends; a replica that is not drops what it holds (the leader
 *       has it too).
 * </ul>
 *
 * Nothing here blocks the caller: {@link #submit} only records the update and schedules a worker.
 */
public final class FeedbackDispatcher implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(FeedbackDispatcher.class);

  /** Spread of the wake-ups after a rate-limit reset, so environments do not all send at once. */
  private static final long RESET_JITTER_MILLIS = 1_000;

  private final GitHubFeedback github;
  private final FeedbackLedger ledger;
  private final Clock clock;
  private final Backoff backoff;
  private final BooleanSupplier leader;
  private final DoubleSupplier random;
  private final ScheduledExecutorService workers;

  /** Guarded by {@code this}. */
  private final Map<String, Slot> slots = new HashMap<>();

  private volatile Instant pausedUntil = Instant.MIN;

  /** One environment's state: what waits, whether a worker has it, what was sent. */
  private static final class Slot {
    FeedbackUpdate pending;
    boolean scheduled;
    int failures;

    /** Written only by the worker that has the slot ({@code scheduled}), one at a time. */
    final Map<String, String> sent;

    Slot(Map<String, String> sent) {
      this.sent = sent;
    }
  }

  public FeedbackDispatcher(
      GitHubFeedback github,
      FeedbackLedger ledger,
      Clock clock,
      Backoff backoff,
      int workers,
      BooleanSupplier leader) {
    this(
        github,
        ledger,
        clock,
        backoff,
        workers,
        leader,
        () -> ThreadLocalRandom.current().nextDouble());
  }

  FeedbackDispatcher(
      GitHubFeedback github,
      FeedbackLedger ledger,
      Clock clock,
      Backoff backoff,
      int workers,
      BooleanSupplier leader,
      DoubleSupplier random) {
    this.github = github;
    this.ledger = ledger;
    this.clock = clock;
    this.backoff = backoff;
    this.leader = leader;
    this.random = random;
    AtomicInteger threads = new AtomicInteger();
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            Math.max(1, workers),
            task -> {
              Thread thread = new Thread(task, "github-feedback-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    executor.setRemoveOnCancelPolicy(true);
    this.workers = executor;
  }

  /** Takes the newest state of an environment's feedback; returns at once. */
  public void submit(FeedbackUpdate update) {
    synchronized (this) {
      Slot slot =
          slots.computeIfAbsent(
              update.environment(),
              name ->
                  new Slot(
                      new LinkedHashMap<>(
                          FeedbackUpdate.parseRecorded(update.recorded().orElse(null)))));
      slot.pending = update;
      if (slot.scheduled) {
        return;
      }
      slot.scheduled = true;
    }
    schedule(update.environment(), Duration.ZERO);
  }

  /** Until when GitHub's rate limit holds all feedback (in the past when it does not). */
  Instant pausedUntil() {
    return pausedUntil;
  }

  /** How many environments have feedback waiting or being sent. */
  public synchronized int backlog() {
    return (int) slots.values().stream().filter(s -> s.scheduled).count();
  }

  private void schedule(String environment, Duration delay) {
    try {
      workers.schedule(() -> run(environment), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debugf("feedback for %s dropped: shutting down", environment);
    }
  }

  private void run(String environment) {
    Slot slot;
    FeedbackUpdate update;
    synchronized (this) {
      slot = slots.get(environment);
      if (slot == null) {
        return;
      }
      update = slot.pending;
      slot.pending = null;
      if (update == null) {
        slot.scheduled = false;
        return;
      }
    }
    if (!leader.getAsBoolean()) {
      synchronized (this) {
        slots.remove(environment);
      }
      return;
    }
    MDC.put("environment", environment);
    try {
      Instant now = clock.instant();
      Instant paused = pausedUntil;
      if (now.isBefore(paused)) {
        retryLater(environment, slot, update, Duration.between(now, paused).plus(jitter()), false);
        return;
      }
      Duration retry = sendChanged(environment, slot, update);
      if (retry != null) {
        retryLater(environment, slot, update, retry, true);
        return;
      }
      synchronized (this) {
        slot.failures = 0;
        if (slot.pending != null) {
          schedule(environment, Duration.ZERO);
        } else {
          slot.scheduled = false;
          if (update.deleted()) {
            slots.remove(environment);
          }
        }
      }
    } finally {
      MDC.remove("environment");
    }
  }

  /** Sends each piece whose fingerprint changed; the wait before a retry, or null when done. */
  private Duration sendChanged(String environment, Slot slot, FeedbackUpdate update) {
    boolean changed = false;
    Duration retry = null;
    for (GitHubFeedback.Update piece : update.updates()) {
      String fingerprint = piece.fingerprint();
      if (fingerprint.equals(slot.sent.get(piece.key()))) {
        continue;
      }
      try {
        github.send(piece);
        slot.sent.put(piece.key(), fingerprint);
        changed = true;
        LOG.debugf("sent %s %s of %s", piece.key(), fingerprint, environment);
      } catch (GitHubRateLimitedException e) {
        Instant until = e.retryAt().orElse(clock.instant().plus(Duration.ofMinutes(1)));
        pause(until);
        LOG.infof("GitHub rate limit: feedback held until %s (%s)", until, e.getMessage());
        retry = Duration.between(clock.instant(), until).plus(jitter());
        break;
      } catch (GitHubNotConfiguredException e) {
        LOG.debugf("feedback for %s skipped: %s", environment, e.getMessage());
        return null;
      } catch (GitHubRefusedException | GitHubNotFoundException e) {
        // Retrying will not change GitHub's mind; the next change of the environment tries again.
        LOG.warnf(
            "GitHub refused %s of %s, not retried: %s", piece.key(), environment, e.getMessage());
        slot.sent.put(piece.key(), fingerprint);
        changed = true;
      } catch (GitHubUnavailableException e) {
        int failures;
        synchronized (this) {
          failures = slot.failures + 1;
        }
        retry = backoff.delay(failures, random.getAsDouble());
        LOG.infof(
            "GitHub unavailable for %s of %s, retry %d in %s: %s",
            piece.key(), environment, failures, retry, e.getMessage());
        break;
      } catch (RuntimeException e) {
        LOG.errorf(e, "feedback %s of %s failed, not retried", piece.key(), environment);
        slot.sent.put(piece.key(), fingerprint);
        changed = true;
      }
    }
    if (changed && !update.deleted()) {
      try {
        ledger.record(environment, FeedbackUpdate.formatRecorded(slot.sent));
      } catch (RuntimeException e) {
        LOG.warnf(
            "could not record the feedback sent for %s (it may be sent again): %s",
            environment, e.getMessage());
      }
    }
    return retry;
  }

  private void retryLater(
      String environment, Slot slot, FeedbackUpdate update, Duration delay, boolean failed) {
    synchronized (this) {
      if (failed) {
        slot.failures++;
      }
      if (slot.pending == null) {
        slot.pending = update;
      }
    }
    schedule(environment, delay.isNegative() ? Duration.ZERO : delay);
  }

  private synchronized void pause(Instant until) {
    if (until.isAfter(pausedUntil)) {
      pausedUntil = until;
    }
  }

  private Duration jitter() {
    return Duration.ofMillis((long) (random.getAsDouble() * RESET_JITTER_MILLIS));
  }

  @Override
  public void close() {
    workers.shutdownNow();
  }
}

package dev.branchyard.build;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The build queue: first in, first out, with a global limit on how many builds run at once.
 *
 * <p>Work is keyed (by the {@code ImageBuild}'s uid): submitting a key that is already waiting or
 * running is a no-op, which is what makes a second request for the same image attach to the first.
 * Cancelling a waiting key removes it; cancelling a running one interrupts its thread, which {@link
 * ImageBuilder}s take as "stop the build".
 *
 * <p>The queue has no I/O of its own; it tells a {@link Listener} every time a waiting key's
 * position changes, so the position can be shown in the build's status.
 */
public final class BuildQueue implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(BuildQueue.class);

  /** Hears about position changes. Called with the queue's lock held: must be quick. */
  @FunctionalInterface
  public interface Listener {

    /**
     * A waiting key's position changed (or it was just queued).
     *
     * @param position 1 for the next key to start
     */
    void waiting(String key, int position);
  }

  private final int limit;
  private final Listener listener;
  private final ExecutorService workers;
  private final Map<String, Waiting> waiting = new LinkedHashMap<>();
  private final Map<String, Running> running = new LinkedHashMap<>();
  private boolean closed;

  private record Waiting(Runnable work, int[] notifiedPosition) {}

  /** A started key: its thread once the worker has picked it up, and whether it was cancelled. */
  private static final class Running {
    private Thread thread;
    private boolean cancelled;

    private void cancel() {
      cancelled = true;
      if (thread != null) {
        thread.interrupt();
      }
    }
  }

  /**
   * @param limit how many builds may run at once, at least 1
   * @param listener hears about positions of waiting builds
   */
  public BuildQueue(int limit, Listener listener) {
    if (limit < 1) {
      throw new IllegalArgumentException("the build concurrency must be at least 1, not " + limit);
    }
    this.limit = limit;
    this.listener = Objects.requireNonNull(listener, "listener");
    this.workers = Executors.newFixedThreadPool(limit, new BuildThreads());
  }

  /**
   * Queues {@code work} under {@code key} unless that key is already waiting or running.
   *
   * @return true if queued, false if the key was already there (the existing work stays)
   * @throws IllegalStateException after {@link #close()}
   */
  public synchronized boolean submit(String key, Runnable work) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(work, "work");
    if (closed) {
      throw new IllegalStateException("the build queue is closed");
    }
    if (waiting.containsKey(key) || running.containsKey(key)) {
      return false;
    }
    waiting.put(key, new Waiting(work, new int[] {0}));
    dispatch();
    return true;
  }

  /**
   * Stops {@code key}: a waiting key leaves the queue without running; a running key's thread is
   * interrupted (its builder stops the build and returns).
   *
   * @return true if the key was waiting or running
   */
  public synchronized boolean cancel(String key) {
    if (waiting.remove(key) != null) {
      notifyPositions();
      return true;
    }
    Running started = running.get(key);
    if (started != null) {
      started.cancel();
      return true;
    }
    return false;
  }

  /** Whether {@code key} is waiting or running. */
  public synchronized boolean contains(String key) {
    return waiting.containsKey(key) || running.containsKey(key);
  }

  /** Whether {@code key} is running now. */
  public synchronized boolean isRunning(String key) {
    return running.containsKey(key);
  }

  /** The position of a waiting {@code key}, 1 for the next to start; empty if not waiting. */
  public synchronized OptionalInt position(String key) {
    int position = 1;
    for (String waitingKey : waiting.keySet()) {
      if (waitingKey.equals(key)) {
        return OptionalInt.of(position);
      }
      position++;
    }
    return OptionalInt.empty();
  }

  /** How many builds run now. */
  public synchronized int runningCount() {
    return running.size();
  }

  /** How many builds wait now. */
  public synchronized int waitingCount() {
    return waiting.size();
  }

  /**
   * Drops what waits, interrupts what runs, and waits up to {@code grace} for running builds to
   * stop.
   */
  public void close(Duration grace) {
    synchronized (this) {
      closed = true;
      waiting.clear();
      running.values().forEach(Running::cancel);
    }
    workers.shutdown();
    try {
      if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warnf("builds still running %s after being asked to stop", grace);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  // Holds the lock.
  private void dispatch() {
    var next = waiting.entrySet().iterator();
    while (running.size() < limit && next.hasNext()) {
      var entry = next.next();
      next.remove();
      String key = entry.getKey();
      Runnable work = entry.getValue().work();
      // Reserve the slot now; the worker thread records itself when it starts.
      Running started = new Running();
      running.put(key, started);
      workers.execute(() -> run(key, started, work));
    }
    notifyPositions();
  }

  private void run(String key, Running started, Runnable work) {
    synchronized (this) {
      started.thread = Thread.currentThread();
      if (started.cancelled) {
        // Cancelled between dispatch and start: the work still runs, interrupted, so it can
        // record the cancellation (builders return CANCELLED at once when interrupted).
        started.thread.interrupt();
      }
    }
    try {
      work.run();
    } catch (RuntimeException | Error e) {
      LOG.errorf(e, "build %s ended with an unexpected error", key);
    } finally {
      synchronized (this) {
        running.remove(key);
        // No one interrupts this thread for this key any more: clear a late cancel before the
        // thread takes the next build.
        Thread.interrupted();
        if (!closed) {
          dispatch();
        }
      }
    }
  }

  // Holds the lock.
  private void notifyPositions() {
    int position = 1;
    for (var entry : waiting.entrySet()) {
      int[] notified = entry.getValue().notifiedPosition();
      if (notified[0] != position) {
        notified[0] = position;
        try {
          listener.waiting(entry.getKey(), position);
        } catch (RuntimeException e) {
          LOG.warnf(e, "the build queue's listener failed for %s", entry.getKey());
        }
      }
      position++;
    }
  }

  private static final class BuildThreads implements ThreadFactory {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable runnable) {
      Thread thread = new Thread(runnable, "branchyard-build-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    }
  }
}

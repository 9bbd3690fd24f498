package dev.branchyard.github;

import dev.branchyard.lifecycle.EnvironmentRequests;
import dev.branchyard.lifecycle.EnvironmentRequests.Upsert;
import dev.branchyard.lifecycle.EnvironmentRequests.Upserted;
import dev.branchyard.lifecycle.KubernetesEnvironmentRequests;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Records the environment changes the webhook intake accepted: each is written down in the {@link
 * IntakeJournal} first (so it survives a crash), then recorded on its Environment in the
 * background. A few writers take one environment at a time with every change of it waiting so far
 * (one write for all of them, latest {@code requestedAt} wins), so when changes arrive faster than
 * the API server takes writes, the batches grow instead of the queue. Failures are retried with
 * backoff while the API server is unreachable, slow or refusing for a while; a change is marked
 * done in the journal once recorded, or given up (bad input, or still failing after {@code
 * branchyard.github.intake.give-up-after}).
 *
 * <p>This is what lets GitHub get its answer in milliseconds when the API server takes tens or
 * hundreds of them per write (docs/github.md, "Intake").
 */
@ApplicationScoped
public class IntakeRecorder {

  private static final Logger LOG = Logger.getLogger(IntakeRecorder.class);
  private static final Backoff BACKOFF =
      new Backoff(Duration.ofMillis(200), Duration.ofSeconds(30));

  /** Environments written at the same time: what one API server takes without queueing much. */
  static final int WRITERS = 4;

  /** Last-write times kept before the ones older than the interval are dropped. */
  private static final int MAX_REMEMBERED_WRITES = 10_000;

  /** One accepted change on its way to its Environment. */
  private static final class Item {
    final long sequence;
    final Upsert upsert;
    final CompletableFuture<Upserted> result = new CompletableFuture<>();
    final long firstTry = System.nanoTime();

    Item(long sequence, Upsert upsert) {
      this.sequence = sequence;
      this.upsert = upsert;
    }
  }

  private final IntakeJournal journal;
  private final EnvironmentRequests requests;
  private final GitHubConfig.Intake config;
  private final Clock clock;
  private final ScheduledExecutorService workers;
  private final LinkedBlockingQueue<String> ready = new LinkedBlockingQueue<>();
  private final WritePacer pacer;

  // Guarded by this: changes waiting per environment, environments queued in ready or being
  // written (or waiting out a backoff), and waiting changes per pull request.
  private final Map<String, Deque<Item>> waiting = new HashMap<>();
  private final Set<String> busy = new HashSet<>();
  private final Map<String, Integer> pendingByPullRequest = new HashMap<>();
  private final Map<String, Integer> failuresByName = new HashMap<>();
  private final Map<String, Long> lastWrite = new HashMap<>();
  private int backlog;

  /** The gauge of accepted changes waiting to be recorded; Prometheus: the same name. */
  public static final String BACKLOG_METRIC = "branchyard_webhook_intake_backlog";

  @Inject
  public IntakeRecorder(
      IntakeJournal journal,
      EnvironmentRequests requests,
      GitHubConfig config,
      Clock clock,
      MeterRegistry metrics) {
    this(journal, requests, config.intake(), clock);
    Gauge.builder(BACKLOG_METRIC, this, IntakeRecorder::backlog)
        .description("Accepted webhook changes not yet recorded on their Environments")
        .register(metrics);
  }

  public IntakeRecorder(
      IntakeJournal journal,
      EnvironmentRequests requests,
      GitHubConfig.Intake config,
      Clock clock) {
    this.journal = journal;
    this.requests = requests;
    this.config = config;
    this.clock = clock;
    this.pacer = new WritePacer(config.maxWritesPerSecond(), System::nanoTime);
    this.workers =
        Executors.newScheduledThreadPool(
            WRITERS + 1,
            runnable -> {
              Thread thread = new Thread(runnable, "intake-recorder");
              thread.setDaemon(true);
              return thread;
            });
    for (int i = 0; i < WRITERS; i++) {
      workers.execute(this::write);
    }
  }

  void onStart(@Observes StartupEvent started) {
    recoverJournal();
  }

  void onStop(@Observes ShutdownEvent stopping) {
    drain(Duration.ofSeconds(10));
  }

  /**
   * Records again what a previous run accepted but did not record; what was accepted longer ago
   * than {@code give-up-after} is given up (the pull request has likely moved on since).
   */
  void recoverJournal() {
    Instant oldest = clock.instant().minus(config.giveUpAfter());
    for (IntakeJournal.Journaled journaled : journal.recovered()) {
      if (journaled.acceptedAt().isBefore(oldest)) {
        LOG.warnf(
            "intake journal entry %d accepted at %s is older than give-up-after (%s); given up",
            journaled.sequence(), journaled.acceptedAt(), config.giveUpAfter());
        journal.done(journaled.sequence());
      } else {
        record(new Item(journaled.sequence(), journaled.upsert()));
      }
    }
  }

  /**
   * Accepts a change: writes it down, then records it in the background.
   *
   * @return completes with what the upsert did once it is recorded, or with the failure that made
   *     it be given up
   * @throws BacklogFullException when too many changes wait already (nothing was written down)
   * @throws IntakeJournal.JournalUnavailableException when it could not be written down
   */
  public CompletableFuture<Upserted> accept(Upsert upsert) {
    int waitingNow = backlog();
    if (waitingNow >= config.maxBacklog()) {
      throw new BacklogFullException(
          waitingNow
              + " accepted changes are still waiting to be recorded on their Environments"
              + " (branchyard.github.intake.max-backlog="
              + config.maxBacklog()
              + "); is the Kubernetes API server reachable?");
    }
    Item item = new Item(journal.append(upsert), upsert);
    record(item);
    return item.result;
  }

  /**
   * Waits until no accepted change of this pull request waits to be recorded, so that a destroy
   * comes after the upserts accepted before it.
   *
   * @return false when some were still waiting after {@code atMost}
   */
  public boolean awaitRecorded(String repo, int pullRequest, Duration atMost) {
    long deadline = System.nanoTime() + atMost.toNanos();
    String key = key(repo, pullRequest);
    while (pending(key)) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      sleep(5);
    }
    return true;
  }

  /** How many accepted changes wait to be recorded. */
  public synchronized int backlog() {
    return backlog;
  }

  /** Waits (up to {@code atMost}) for the backlog to be recorded; what is left stays journaled. */
  void drain(Duration atMost) {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (backlog() > 0 && System.nanoTime() < deadline) {
      sleep(20);
    }
    if (backlog() > 0) {
      LOG.warnf(
          "stopping with %d accepted change(s) not yet recorded; they are in the intake journal and"
              + " are recorded at the next start",
          backlog());
    }
    workers.shutdownNow();
  }

  private synchronized boolean pending(String pullRequest) {
    return pendingByPullRequest.getOrDefault(pullRequest, 0) > 0;
  }

  private void record(Item item) {
    String name = nameOf(item.upsert);
    synchronized (this) {
      backlog++;
      pendingByPullRequest.merge(key(item.upsert), 1, Integer::sum);
      waiting.computeIfAbsent(name, k -> new ArrayDeque<>()).add(item);
      if (busy.add(name)) {
        queue(name);
      }
    }
  }

  /** A writer: takes an environment with waiting changes, writes them all, again. */
  private void write() {
    while (!Thread.currentThread().isInterrupted()) {
      String name;
      try {
        name = ready.take();
        // Its changes keep gathering while it waits for its turn among all environments.
        long turn = pacer.reserve();
        if (turn > 0) {
          TimeUnit.NANOSECONDS.sleep(turn);
        }
      } catch (InterruptedException e) {
        return;
      }
      List<Item> batch;
      synchronized (this) {
        Deque<Item> items = waiting.remove(name);
        batch = items == null ? List.of() : new ArrayList<>(items);
      }
      if (batch.isEmpty()) {
        release(name);
        continue;
      }
      synchronized (this) {
        lastWrite.put(name, System.nanoTime());
      }
      try {
        List<Upserted> done = requests.upsertAll(batch.stream().map(i -> i.upsert).toList());
        for (int i = 0; i < batch.size(); i++) {
          finish(batch.get(i));
          batch.get(i).result.complete(done.get(i));
        }
        releaseAfterWrite(name);
      } catch (RuntimeException e) {
        failed(name, batch, e);
      }
    }
  }

  /** A batch failed: gives up what cannot succeed, retries the rest after a backoff. */
  private void failed(String name, List<Item> batch, RuntimeException e) {
    List<Item> retry = new ArrayList<>();
    for (Item item : batch) {
      Duration failingFor = Duration.ofNanos(System.nanoTime() - item.firstTry);
      if (permanent(e) || failingFor.compareTo(config.giveUpAfter()) >= 0) {
        finish(item);
        LOG.warnf(
            "accepted change %d (%s %s at %s) given up: %s",
            item.sequence,
            item.upsert.specName(),
            item.upsert.trigger().repo(),
            item.upsert.trigger().headSha(),
            e.getMessage());
        item.result.completeExceptionally(e);
      } else {
        retry.add(item);
      }
    }
    if (retry.isEmpty()) {
      release(name);
      return;
    }
    int failures = failures(name);
    Duration wait = BACKOFF.delay(failures, ThreadLocalRandom.current().nextDouble());
    if (failures == 1 || failures % 10 == 0) {
      LOG.warnf(
          "%d accepted change(s) of %s could not be recorded yet (failure %d), retrying in %d ms:"
              + " %s",
          retry.size(), name, failures, wait.toMillis(), e.getMessage());
    }
    try {
      // The environment stays busy meanwhile: changes arriving now join the retry.
      workers.schedule(
          () -> {
            synchronized (this) {
              Deque<Item> items = waiting.computeIfAbsent(name, k -> new ArrayDeque<>());
              for (int i = retry.size() - 1; i >= 0; i--) {
                items.addFirst(retry.get(i));
              }
            }
            ready.add(name);
          },
          wait.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      // Shutting down: the changes stay in the journal for the next start.
      retry.forEach(item -> item.result.completeExceptionally(e));
    }
  }

  private synchronized int failures(String name) {
    return failuresByName.merge(name, 1, Integer::sum);
  }

  /**
   * Done with writing an environment: changes that arrived meanwhile are queued (once {@code
   * min-write-interval} has passed since this write began).
   */
  private synchronized void releaseAfterWrite(String name) {
    if (lastWrite.size() > MAX_REMEMBERED_WRITES) {
      long horizon = System.nanoTime() - config.minWriteInterval().toNanos();
      lastWrite.values().removeIf(at -> at - horizon < 0);
    }
    release(name);
  }

  /**
   * Puts a busy environment in line for a writer: at once, or when {@code min-write-interval} has
   * passed since its last write, so a busy pull request costs at most one write per interval
   * however fast its events come (the first change of a quiet one is written at once).
   */
  private synchronized void queue(String name) {
    Long last = lastWrite.get(name);
    long interval = config.minWriteInterval().toNanos();
    long delay = last == null ? 0 : interval - (System.nanoTime() - last);
    if (delay <= 0) {
      ready.add(name);
      return;
    }
    // Up to a tenth more, so environments written together do not all come due together.
    delay += (long) (ThreadLocalRandom.current().nextDouble() * interval / 10);
    try {
      workers.schedule(() -> ready.add(name), delay, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException stopping) {
      ready.add(name);
    }
  }

  /** Done with an environment for now: queued again if changes arrived meanwhile. */
  private synchronized void release(String name) {
    failuresByName.remove(name);
    if (waiting.containsKey(name)) {
      queue(name);
    } else {
      busy.remove(name);
    }
  }

  private void finish(Item item) {
    journal.done(item.sequence);
    synchronized (this) {
      backlog--;
      pendingByPullRequest.computeIfPresent(
          key(item.upsert), (k, count) -> count <= 1 ? null : count - 1);
    }
  }

  /** Failures that retrying cannot fix: the change itself is wrong. */
  static boolean permanent(RuntimeException e) {
    if (e instanceof IllegalArgumentException) { // InvalidTtlException among them
      return true;
    }
    if (e instanceof KubernetesClientException kube) {
      return kube.getCode() == 400 || kube.getCode() == 422;
    }
    return false;
  }

  private static String nameOf(Upsert upsert) {
    return KubernetesEnvironmentRequests.nameFor(upsert.specName(), upsert.trigger());
  }

  private static String key(Upsert upsert) {
    return key(
        upsert.trigger().repo(), Objects.requireNonNullElse(upsert.trigger().pullRequest(), 0));
  }

  private static String key(String repo, int pullRequest) {
    return repo + "#" + pullRequest;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Too many accepted changes wait to be recorded already. */
  public static final class BacklogFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BacklogFullException(String message) {
      super(message);
    }
  }
}

package dev.branchyard.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Group commit per key: what waits for a key's write in flight is written together next. */
class GroupCommitTest {

  private static final Duration PATIENCE = Duration.ofSeconds(10);

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<Thread> callers = new ArrayList<>();

  /** Every batch written, per key, in the order the writes began. */
  private final List<String> keys = Collections.synchronizedList(new ArrayList<>());

  private final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void stop() {
    callers.forEach(Thread::interrupt);
    executor.shutdownNow();
  }

  @Test
  void itemsSubmittedWhileAWriteIsInFlightAreWrittenTogetherInTheNextBatch() throws Exception {
    CountDownLatch firstStarted = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    GroupCommit<String, String, String> commit =
        holdingTheFirstWrite(firstStarted, releaseFirst, " in batch ");

    CompletableFuture<String> first = submitOnItsOwnThread(commit, "env", "a1");
    assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> second = submitOnItsOwnThread(commit, "env", "a2");
    CompletableFuture<String> third = submitOnItsOwnThread(commit, "env", "a3");
    CompletableFuture<String> fourth = submitOnItsOwnThread(commit, "env", "a4");
    awaitCallersWaiting();
    assertThat(batches).hasSize(1);

    releaseFirst.countDown();

    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("a1 in batch 1");
    assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("a2 in batch 2");
    assertThat(third.get(10, TimeUnit.SECONDS)).isEqualTo("a3 in batch 2");
    assertThat(fourth.get(10, TimeUnit.SECONDS)).isEqualTo("a4 in batch 2");
    assertThat(batches).hasSize(2);
    assertThat(batches.get(0)).containsExactly("a1");
    assertThat(batches.get(1)).containsExactlyInAnyOrder("a2", "a3", "a4");
  }

  @Test
  void aKeyWhoseWriteIsBlockedDoesNotBlockAnotherKey() throws Exception {
    CountDownLatch blockedStarted = new CountDownLatch(1);
    CountDownLatch releaseBlocked = new CountDownLatch(1);
    GroupCommit<String, String, String> commit =
        new GroupCommit<>(
            (key, batch) -> {
              record(key, batch);
              if (key.equals("blocked")) {
                blockedStarted.countDown();
                awaitLatch(releaseBlocked);
              }
              return batch.stream().map(item -> key + ":" + item).toList();
            },
            executor);
    CompletableFuture<String> blocked = submitOnItsOwnThread(commit, "blocked", "x");
    assertThat(blockedStarted.await(10, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<String> other = submitOnItsOwnThread(commit, "free", "y");

    assertThat(other.get(10, TimeUnit.SECONDS)).isEqualTo("free:y");
    assertThat(blocked).isNotDone();
    releaseBlocked.countDown();
    assertThat(blocked.get(10, TimeUnit.SECONDS)).isEqualTo("blocked:x");
    assertThat(keys).containsExactly("blocked", "free");
  }

  @Test
  void aFailedWriteReachesEveryCallerOfItsBatchAndLaterSubmitsStillWork() throws Exception {
    CountDownLatch firstStarted = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    IllegalStateException conflict = new IllegalStateException("the API server said 409");
    GroupCommit<String, String, String> commit =
        new GroupCommit<>(
            (key, batch) -> {
              int number = record(key, batch);
              if (number == 1) {
                firstStarted.countDown();
                awaitLatch(releaseFirst);
              }
              if (number == 2) {
                throw conflict;
              }
              return batch.stream().map(String::toUpperCase).toList();
            },
            executor);
    CompletableFuture<String> first = submitOnItsOwnThread(commit, "env", "a1");
    assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> second = submitOnItsOwnThread(commit, "env", "a2");
    CompletableFuture<String> third = submitOnItsOwnThread(commit, "env", "a3");
    awaitCallersWaiting();

    releaseFirst.countDown();

    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("A1");
    for (CompletableFuture<String> failed : List.of(second, third)) {
      assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isSameAs(conflict);
    }
    assertThat(batches.get(1)).containsExactlyInAnyOrder("a2", "a3");
    assertThat(commit.submit("env", "a4")).isEqualTo("A4");
    assertThat(batches).hasSize(3);
  }

  @Test
  void theCallerThatStartsAFailingWriteGetsItsException() {
    IllegalArgumentException invalid = new IllegalArgumentException("bad ttl");
    GroupCommit<String, String, String> commit =
        new GroupCommit<>(
            (key, batch) -> {
              throw invalid;
            },
            executor);

    assertThatThrownBy(() -> commit.submit("env", "a1")).isSameAs(invalid);
  }

  @Test
  void aCommitterReturningTheWrongNumberOfResultsFailsItsCallers() {
    GroupCommit<String, String, String> commit =
        new GroupCommit<>((key, batch) -> List.of(), executor);

    assertThatThrownBy(() -> commit.submitAll("env", List.of("a", "b")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("a batch of 2 got 0 results");
  }

  @Test
  void submitAllReturnsTheResultsInTheOrderOfTheItems() {
    GroupCommit<String, String, String> commit =
        new GroupCommit<>(
            (key, batch) -> {
              record(key, batch);
              return batch.stream().map(String::toUpperCase).toList();
            },
            executor);

    assertThat(commit.submitAll("env", List.of("c", "a", "b"))).containsExactly("C", "A", "B");
    assertThat(batches).containsExactly(List.of("c", "a", "b"));
  }

  @Test
  void itemsOfASubmitAllWaitingForAWriteStayInOrderWithinTheNextBatch() throws Exception {
    CountDownLatch firstStarted = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    GroupCommit<String, String, String> commit =
        holdingTheFirstWrite(firstStarted, releaseFirst, "#");
    CompletableFuture<String> first = submitOnItsOwnThread(commit, "env", "first");
    assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<List<String>> many = new CompletableFuture<>();
    start(() -> many.complete(commit.submitAll("env", List.of("z", "y", "x"))));
    awaitCallersWaiting();

    releaseFirst.countDown();

    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first#1");
    assertThat(many.get(10, TimeUnit.SECONDS)).containsExactly("z#2", "y#2", "x#2");
    assertThat(batches.get(1)).containsExactly("z", "y", "x");
  }

  @Test
  void oneKeyNeverHasTwoWritesInFlightAndEveryCallerGetsItsResult() throws Exception {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger mostInFlight = new AtomicInteger();
    GroupCommit<String, Integer, Integer> commit =
        new GroupCommit<>(
            (key, batch) -> {
              mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
              try {
                Thread.yield();
                return batch.stream().map(item -> item * 10).toList();
              } finally {
                inFlight.decrementAndGet();
              }
            },
            executor);
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<Integer>> results = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      int base = i * 100;
      for (int j = 0; j < 25; j++) {
        results.add(new CompletableFuture<>());
      }
      List<CompletableFuture<Integer>> mine = results.subList(results.size() - 25, results.size());
      List<CompletableFuture<Integer>> copy = List.copyOf(mine);
      start(
          () -> {
            awaitLatch(go);
            for (int j = 0; j < 25; j++) {
              copy.get(j).complete(commit.submit("env", base + j));
            }
          });
    }
    go.countDown();

    for (int i = 0; i < results.size(); i++) {
      int expected = ((i / 25) * 100 + i % 25) * 10;
      assertThat(results.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(expected);
    }
    assertThat(mostInFlight.get()).isEqualTo(1);
  }

  /**
   * Writes each item as {@code item + separator + batch number}, recording the batches; the first
   * write signals {@code started} and waits for {@code release}.
   */
  private GroupCommit<String, String, String> holdingTheFirstWrite(
      CountDownLatch started, CountDownLatch release, String separator) {
    return new GroupCommit<>(
        (key, batch) -> {
          int number = record(key, batch);
          if (number == 1) {
            started.countDown();
            awaitLatch(release);
          }
          return batch.stream().map(item -> item + separator + number).toList();
        },
        executor);
  }

  private int record(String key, List<String> batch) {
    synchronized (batches) {
      keys.add(key);
      batches.add(List.copyOf(batch));
      return batches.size();
    }
  }

  private CompletableFuture<String> submitOnItsOwnThread(
      GroupCommit<String, String, String> commit, String key, String item) {
    CompletableFuture<String> result = new CompletableFuture<>();
    start(
        () -> {
          try {
            result.complete(commit.submit(key, item));
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          }
        });
    return result;
  }

  private void start(Runnable body) {
    Thread thread = new Thread(body, "caller-" + callers.size());
    thread.setDaemon(true);
    callers.add(thread);
    thread.start();
  }

  /**
   * Waits until every caller started so far is done, parked waiting for its result, or (the one
   * whose write is in flight) held in the committer by a latch.
   */
  private void awaitCallersWaiting() {
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                callers.stream()
                    .allMatch(
                        t ->
                            t.getState() == Thread.State.WAITING
                                || t.getState() == Thread.State.TIMED_WAITING
                                || t.getState() == Thread.State.TERMINATED));
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the latch");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}

package dev.branchyard.lifecycle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Group commit per key: callers that ask for a change of the same key while a write of it is in
 * flight are gathered and written together by the next write, so one key never has two writes in
 * flight (no optimistic-lock conflicts between them) and a burst for one key costs as many writes
 * as it takes round trips, not one per caller. Different keys are written independently.
 *
 * <p>The caller whose item starts a batch runs that write on its own thread; further batches of the
 * key run on {@code executor}. Each caller gets its own item's result, or the batch's failure.
 *
 * @param <K> the key (an environment's name)
 * @param <I> what a caller asks for
 * @param <O> what the caller gets back
 */
final class GroupCommit<K, I, O> {

  /** Writes one batch; returns one result per item, in the batch's order. */
  @FunctionalInterface
  interface Committer<K, I, O> {
    List<O> commit(K key, List<I> batch);
  }

  private record Pending<I, O>(I item, CompletableFuture<O> result) {}

  /** The items of a key waiting for the next write; present while a write of the key runs. */
  private static final class Slot<I, O> {
    final List<Pending<I, O>> waiting = new ArrayList<>();
  }

  private final Map<K, Slot<I, O>> slots = new ConcurrentHashMap<>();
  private final Committer<K, I, O> committer;
  private final Executor executor;

  GroupCommit(Committer<K, I, O> committer, Executor executor) {
    this.committer = committer;
    this.executor = executor;
  }

  /**
   * Writes {@code item} with whatever else is waiting for {@code key}; returns once it is written.
   *
   * @throws RuntimeException what the write of its batch threw
   */
  O submit(K key, I item) {
    return submitAll(key, List.of(item)).get(0);
  }

  /**
   * Writes {@code items} (in one batch, with whatever else is waiting for {@code key}); returns
   * their results, in order, once they are written.
   *
   * @throws RuntimeException what the write of their batch threw
   */
  List<O> submitAll(K key, List<I> items) {
    List<Pending<I, O>> mine =
        items.stream().map(item -> new Pending<I, O>(item, new CompletableFuture<>())).toList();
    boolean[] starts = new boolean[1];
    slots.compute(
        key,
        (k, slot) -> {
          if (slot == null) {
            // No write of this key runs: this caller writes its own items now.
            starts[0] = true;
            return new Slot<>();
          }
          slot.waiting.addAll(mine);
          return slot;
        });
    if (starts[0]) {
      write(key, mine);
      if (!finishedOrMore(key)) {
        executor.execute(() -> drain(key));
      }
    }
    try {
      return mine.stream().map(p -> p.result().join()).toList();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

  /** Writes the waiting batches of {@code key} until none is left. */
  private void drain(K key) {
    List<Pending<I, O>> batch;
    while (!(batch = takeWaiting(key)).isEmpty()) {
      write(key, batch);
    }
  }

  /** True when nothing waits for {@code key} (and its slot is gone), false when a batch does. */
  private boolean finishedOrMore(K key) {
    boolean[] done = new boolean[1];
    slots.compute(
        key,
        (k, slot) -> {
          if (slot == null || slot.waiting.isEmpty()) {
            done[0] = true;
            return null;
          }
          return slot;
        });
    return done[0];
  }

  /** The waiting items of {@code key}; empty (and the slot removed) when there are none. */
  private List<Pending<I, O>> takeWaiting(K key) {
    List<Pending<I, O>> taken = new ArrayList<>();
    slots.compute(
        key,
        (k, slot) -> {
          if (slot == null || slot.waiting.isEmpty()) {
            return null;
          }
          taken.addAll(slot.waiting);
          slot.waiting.clear();
          return slot;
        });
    return taken;
  }

  private void write(K key, List<Pending<I, O>> batch) {
    try {
      List<O> results = committer.commit(key, batch.stream().map(Pending::item).toList());
      if (results.size() != batch.size()) {
        throw new IllegalStateException(
            "a batch of " + batch.size() + " got " + results.size() + " results");
      }
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).result().complete(results.get(i));
      }
    } catch (RuntimeException | Error e) {
      batch.forEach(p -> p.result().completeExceptionally(e));
    }
  }
}

package dev.branchyard.build;

import dev.branchyard.Pure;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/** A small thread-safe map whose entries expire at a given instant; the oldest go when full. */
@Pure
final class ExpiringCache<K, V> {

  private record Entry<V>(V value, Instant expiresAt) {}

  private final Clock clock;
  private final Map<K, Entry<V>> entries;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  ExpiringCache(Clock clock, int maxEntries) {
    this.clock = clock;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<K, Entry<V>> eldest) {
            return size() > maxEntries;
          }
        };
  }

  synchronized Optional<V> get(K key) {
    Entry<V> entry = entries.get(key);
    if (entry == null) {
      misses.increment();
      return Optional.empty();
    }
    if (!clock.instant().isBefore(entry.expiresAt())) {
      entries.remove(key);
      misses.increment();
      return Optional.empty();
    }
    hits.increment();
    return Optional.of(entry.value());
  }

  /** How many {@link #get}s found a live entry, since creation. */
  long hits() {
    return hits.sum();
  }

  /** How many {@link #get}s found none (or an expired one), since creation. */
  long misses() {
    return misses.sum();
  }

  synchronized void put(K key, V value, Instant expiresAt) {
    entries.put(key, new Entry<>(value, expiresAt));
  }

  synchronized void remove(K key) {
    entries.remove(key);
  }
}

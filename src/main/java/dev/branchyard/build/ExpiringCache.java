package dev.branchyard.build;

import dev.branchyard.Pure;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A small thread-safe map whose entries expire at a given instant; the oldest go when full. */
@Pure
final class ExpiringCache<K, V> {

  private record Entry<V>(V value, Instant expiresAt) {}

  private final Clock clock;
  private final Map<K, Entry<V>> entries;

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
      return Optional.empty();
    }
    if (!clock.instant().isBefore(entry.expiresAt())) {
      entries.remove(key);
      return Optional.empty();
    }
    return Optional.of(entry.value());
  }

  synchronized void put(K key, V value, Instant expiresAt) {
    entries.put(key, new Entry<>(value, expiresAt));
  }

  synchronized void remove(K key) {
    entries.remove(key);
  }
}

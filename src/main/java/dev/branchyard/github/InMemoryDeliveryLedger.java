package dev.branchyard.github;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link DeliveryLedger} in this replica's memory: remembers at most {@code maxEntries} ids, each
 * until {@code rememberFor} has passed since it was last seen; the least recently seen go first
 * when it is full. Thread-safe.
 *
 * <p>Forgetting is the safe direction: a forgotten id that comes again is processed again, and
 * every intent it leads to is idempotent. Remembering must stay bounded, since ids come from
 * outside.
 */
public final class InMemoryDeliveryLedger implements DeliveryLedger {

  private final int maxEntries;
  private final Duration rememberFor;
  private final Clock clock;

  /** Access-ordered: iteration starts at the least recently seen id, which expires first. */
  private final LinkedHashMap<String, Instant> lastSeen;

  public InMemoryDeliveryLedger(int maxEntries, Duration rememberFor, Clock clock) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("a delivery ledger must remember at least 1 id");
    }
    if (rememberFor.isNegative() || rememberFor.isZero()) {
      throw new IllegalArgumentException("a delivery ledger must remember ids for some time");
    }
    this.maxEntries = maxEntries;
    this.rememberFor = rememberFor;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.lastSeen =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
            return size() > InMemoryDeliveryLedger.this.maxEntries;
          }
        };
  }

  @Override
  public synchronized boolean firstSeen(String deliveryId) {
    Objects.requireNonNull(deliveryId, "deliveryId");
    Instant now = clock.instant();
    forgetExpired(now);
    Instant before = lastSeen.put(deliveryId, now);
    return before == null || isExpired(before, now);
  }

  @Override
  public synchronized void forget(String deliveryId) {
    lastSeen.remove(Objects.requireNonNull(deliveryId, "deliveryId"));
  }

  /** How many ids are remembered now; for tests and metrics. */
  public synchronized int size() {
    forgetExpired(clock.instant());
    return lastSeen.size();
  }

  private void forgetExpired(Instant now) {
    Iterator<Instant> oldestFirst = lastSeen.values().iterator();
    while (oldestFirst.hasNext() && isExpired(oldestFirst.next(), now)) {
      oldestFirst.remove();
    }
  }

  private boolean isExpired(Instant seen, Instant now) {
    return !seen.plus(rememberFor).isAfter(now);
  }
}

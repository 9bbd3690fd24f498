package dev.branchyard.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.branchyard.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InMemoryDeliveryLedgerTest {

  private static final String DELIVERY = "72d3162e-cc78-11e3-81ab-4c9367dc0958";

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-20T09:00:00Z"));

  @Test
  void acceptsADeliveryOnceAndDropsItsRedelivery() {
    InMemoryDeliveryLedger ledger = new InMemoryDeliveryLedger(10, Duration.ofHours(24), clock);

    assertThat(ledger.firstSeen(DELIVERY)).isTrue();
    assertThat(ledger.firstSeen(DELIVERY)).isFalse();
    assertThat(ledger.firstSeen("another-delivery")).isTrue();
  }

  @Test
  void takesADeliveryInAgainOnceItWasForgottenAfterAFailure() {
    InMemoryDeliveryLedger ledger = new InMemoryDeliveryLedger(10, Duration.ofHours(24), clock);
    ledger.firstSeen(DELIVERY);

    ledger.forget(DELIVERY);

    assertThat(ledger.firstSeen(DELIVERY)).isTrue();
    assertThat(ledger.firstSeen(DELIVERY)).isFalse();
  }

  @Test
  void forgetsADeliveryOnceItsTimeIsUp() {
    InMemoryDeliveryLedger ledger = new InMemoryDeliveryLedger(10, Duration.ofHours(24), clock);
    ledger.firstSeen(DELIVERY);

    clock.advance(Duration.ofHours(24).minusSeconds(1));
    assertThat(ledger.firstSeen(DELIVERY)).isFalse();

    clock.advance(Duration.ofHours(24));
    assertThat(ledger.firstSeen(DELIVERY)).isTrue();
  }

  @Test
  void dropsExpiredIdsSoTheyTakeNoRoom() {
    InMemoryDeliveryLedger ledger = new InMemoryDeliveryLedger(10, Duration.ofMinutes(5), clock);
    ledger.firstSeen("a");
    ledger.firstSeen("b");
    clock.advance(Duration.ofMinutes(3));
    ledger.firstSeen("c");

    clock.advance(Duration.ofMinutes(2));

    assertThat(ledger.size()).isEqualTo(1);
  }

  @Test
  void forgetsTheLeastRecentlySeenIdWhenFull() {
    InMemoryDeliveryLedger ledger = new InMemoryDeliveryLedger(2, Duration.ofHours(24), clock);
    ledger.firstSeen("a");
    ledger.firstSeen("b");
    ledger.firstSeen("a"); // seen again: now b is the least recently seen

    ledger.firstSeen("c");

    assertThat(ledger.size()).isEqualTo(2);
    assertThat(ledger.firstSeen("a")).isFalse();
    assertThat(ledger.firstSeen("c")).isFalse();
    assertThat(ledger.firstSeen("b")).isTrue();
  }

  @Test
  void letsExactlyOneOfManyConcurrentRedeliveriesThrough() throws Exception {
    InMemoryDeliveryLedger ledger = new InMemoryDeliveryLedger(100, Duration.ofHours(1), clock);
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Boolean>> answers = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        Callable<Boolean> deliver =
            () -> {
              start.await();
              return ledger.firstSeen(DELIVERY);
            };
        answers.add(pool.submit(deliver));
      }
      start.countDown();
      int accepted = 0;
      for (Future<Boolean> answer : answers) {
        accepted += answer.get(10, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertThat(accepted).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void refusesASizeOrTimeThatWouldRememberNothing() {
    assertThatThrownBy(() -> new InMemoryDeliveryLedger(0, Duration.ofHours(1), clock))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new InMemoryDeliveryLedger(10, Duration.ZERO, clock))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

package dev.branchyard.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BuildQueueTest {

  private final Map<String, Integer> positions = new ConcurrentHashMap<>();
  private final List<String> started = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private BuildQueue queue;

  @AfterEach
  void closeQueue() {
    release.countDown();
    if (queue != null) {
      queue.close();
    }
  }

  private Runnable blocking(String key) {
    return () -> {
      started.add(key);
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  @Test
  void runsNoMoreThanTheLimitAtOnce() {
    queue = new BuildQueue(2, positions::put);
    for (String key : List.of("a", "b", "c", "d")) {
      queue.submit(key, blocking(key));
    }

    await().atMost(5, TimeUnit.SECONDS).until(() -> started.size() == 2);
    assertThat(started).containsExactlyInAnyOrder("a", "b");
    assertThat(queue.runningCount()).isEqualTo(2);
    assertThat(queue.position("c")).hasValue(1);
    assertThat(queue.position("d")).hasValue(2);
    assertThat(positions).containsEntry("c", 1).containsEntry("d", 2);

    release.countDown();
    await().atMost(5, TimeUnit.SECONDS).until(() -> started.size() == 4);
    assertThat(started.subList(2, 4)).containsExactlyInAnyOrder("c", "d");
    await().atMost(5, TimeUnit.SECONDS).until(() -> queue.runningCount() == 0);
  }

  @Test
  void startsWaitingWorkInTheOrderItWasSubmitted() {
    queue = new BuildQueue(1, positions::put);
    List<String> keys = List.of("k1", "k2", "k3", "k4", "k5", "k6");
    queue.submit("blocker", blocking("blocker"));
    for (String key : keys) {
      queue.submit(key, () -> started.add(key));
    }

    release.countDown();

    await().atMost(5, TimeUnit.SECONDS).until(() -> started.size() == keys.size() + 1);
    assertThat(started.subList(1, started.size())).containsExactlyElementsOf(keys);
  }

  @Test
  void submittingAKeyThatIsAlreadyThereKeepsTheFirstWork() {
    queue = new BuildQueue(1, positions::put);
    AtomicInteger runs = new AtomicInteger();
    Runnable counted =
        () -> {
          runs.incrementAndGet();
          blocking("x").run();
        };

    assertThat(queue.submit("x", counted)).isTrue();
    for (int i = 0; i < 10; i++) {
      assertThat(queue.submit("x", counted)).isFalse();
    }
    release.countDown();

    await().atMost(5, TimeUnit.SECONDS).until(() -> !queue.contains("x"));
    assertThat(runs).hasValue(1);
  }

  @Test
  void tellsWaitingKeysTheirNewPositionWhenOneAheadLeaves() {
    queue = new BuildQueue(1, positions::put);
    queue.submit("running", blocking("running"));
    await().atMost(5, TimeUnit.SECONDS).until(() -> started.contains("running"));
    queue.submit("first", blocking("first"));
    queue.submit("second", blocking("second"));
    queue.submit("third", blocking("third"));
    assertThat(positions).containsEntry("third", 3);

    assertThat(queue.cancel("first")).isTrue();

    assertThat(positions).containsEntry("second", 1).containsEntry("third", 2);
    assertThat(queue.position("first")).isEmpty();
  }

  @Test
  void cancellingAWaitingKeyRemovesItWithoutRunningIt() {
    queue = new BuildQueue(1, positions::put);
    queue.submit("running", blocking("running"));
    AtomicBoolean ran = new AtomicBoolean();
    queue.submit("waiting", () -> ran.set(true));

    assertThat(queue.cancel("waiting")).isTrue();
    release.countDown();

    await().atMost(5, TimeUnit.SECONDS).until(() -> queue.runningCount() == 0);
    assertThat(ran).isFalse();
    assertThat(queue.cancel("waiting")).isFalse();
  }

  @Test
  void cancellingARunningKeyInterruptsItsThreadAndFreesTheSlot() {
    queue = new BuildQueue(1, positions::put);
    AtomicBoolean interrupted = new AtomicBoolean();
    queue.submit(
        "long",
        () -> {
          started.add("long");
          try {
            Thread.sleep(60_000);
          } catch (InterruptedException e) {
            interrupted.set(true);
          }
        });
    queue.submit("next", () -> started.add("next"));
    await().atMost(5, TimeUnit.SECONDS).until(() -> started.contains("long"));

    assertThat(queue.cancel("long")).isTrue();

    await().atMost(5, TimeUnit.SECONDS).until(() -> started.contains("next"));
    assertThat(interrupted).isTrue();
  }

  @Test
  void aCancelAfterTheWorkEndedDoesNotInterruptTheNextWorkOnTheSameThread() throws Exception {
    queue = new BuildQueue(1, positions::put);
    CountDownLatch firstDone = new CountDownLatch(1);
    queue.submit("first", firstDone::countDown);
    firstDone.await(5, TimeUnit.SECONDS);
    await().atMost(5, TimeUnit.SECONDS).until(() -> !queue.contains("first"));
    assertThat(queue.cancel("first")).isFalse();

    AtomicBoolean interrupted = new AtomicBoolean(true);
    CountDownLatch secondDone = new CountDownLatch(1);
    queue.submit(
        "second",
        () -> {
          interrupted.set(Thread.currentThread().isInterrupted());
          secondDone.countDown();
        });

    assertThat(secondDone.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(interrupted).isFalse();
  }

  @Test
  void rejectsAConcurrencyBelowOne() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BuildQueue(0, positions::put))
        .hasMessageContaining("at least 1, not 0");
  }
}

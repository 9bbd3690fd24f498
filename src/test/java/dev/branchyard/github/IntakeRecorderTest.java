package dev.branchyard.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.branchyard.github.IntakeRecorder.BacklogFullException;
import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentRequests;
import dev.branchyard.lifecycle.EnvironmentRequests.Upsert;
import dev.branchyard.lifecycle.EnvironmentRequests.Upserted;
import dev.branchyard.lifecycle.EnvironmentRequests.Upserted.Outcome;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The intake's background recording: journal first, retries, give-ups, backlog, batching. */
class IntakeRecorderTest {

  private static final Instant NOW = Instant.parse("2026-11-20T14:00:00Z");
  private static final Duration PATIENCE = Duration.ofSeconds(20);
  private static final String REPO = "acme/shop-web";

  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  private final MemoryIntakeJournal journal = new MemoryIntakeJournal();
  private final FakeEnvironmentRequests environments = new FakeEnvironmentRequests();
  private final CountingRequests requests = new CountingRequests(environments);
  private IntakeRecorder recorder;

  @AfterEach
  void stopTheWriters() {
    if (recorder != null) {
      recorder.drain(Duration.ZERO);
    }
  }

  @Test
  void recordsAnAcceptedChangeAndMarksItDoneInTheJournal() throws Exception {
    recorder = recorder(intake(1000, Duration.ZERO, Duration.ofMinutes(1)));

    CompletableFuture<Upserted> result = recorder.accept(upsert(1, sha(1), NOW));

    assertThat(result.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).outcome())
        .isEqualTo(Outcome.CREATED);
    assertThat(environments.shop(1)).map(e -> e.getSpec().trigger().headSha()).contains(sha(1));
    assertThat(journal.unfinished).isEmpty();
    assertThat(recorder.backlog()).isZero();
  }

  @Test
  void writesTheChangeDownInTheJournalBeforeItIsRecorded() {
    environments.failing = true;
    recorder = recorder(intake(1000, Duration.ZERO, Duration.ofMinutes(1)));
    Upsert upsert = upsert(1, sha(1), NOW);

    recorder.accept(upsert);

    assertThat(journal.unfinished).containsOnlyKeys(1L).containsValue(upsert);
    assertThat(recorder.backlog()).isEqualTo(1);
  }

  @Test
  void retriesWhileTheApiServerIsUnreachableAndRecordsOnceItIsBack() throws Exception {
    environments.failing = true;
    recorder = recorder(intake(1000, Duration.ZERO, Duration.ofMinutes(1)));

    CompletableFuture<Upserted> result = recorder.accept(upsert(1, sha(1), NOW));

    await().atMost(PATIENCE).until(() -> requests.calls.get() >= 2);
    assertThat(result).isNotDone();
    assertThat(journal.unfinished).hasSize(1);
    environments.failing = false;
    assertThat(result.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).outcome())
        .isEqualTo(Outcome.CREATED);
    assertThat(environments.shop(1)).isPresent();
    assertThat(journal.unfinished).isEmpty();
    assertThat(recorder.backlog()).isZero();
  }

  @Test
  void givesUpAtOnceOnAChangeThatCannotSucceed() {
    IllegalArgumentException invalid = new IllegalArgumentException("ttl 'soon' is not a duration");
    requests.failure = invalid;
    recorder = recorder(intake(1000, Duration.ZERO, Duration.ofMinutes(1)));

    CompletableFuture<Upserted> result = recorder.accept(upsert(1, sha(1), NOW));

    assertThatThrownBy(() -> result.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isSameAs(invalid);
    assertThat(requests.calls.get()).isEqualTo(1);
    assertThat(journal.unfinished).isEmpty();
    assertThat(recorder.backlog()).isZero();
    assertThat(recorder.awaitRecorded(REPO, 1, Duration.ZERO)).isTrue();
  }

  @Test
  void givesUpAChangeThatKeepsFailingPastGiveUpAfter() {
    environments.failing = true;
    recorder = recorder(intake(1000, Duration.ZERO, Duration.ofMillis(300)));

    CompletableFuture<Upserted> result = recorder.accept(upsert(1, sha(1), NOW));

    await().atMost(PATIENCE).until(result::isDone);
    assertThat(result).isCompletedExceptionally();
    assertThat(journal.unfinished).isEmpty();
    assertThat(recorder.backlog()).isZero();
  }

  @Test
  void refusesChangesBeyondTheMaxBacklogWithoutWritingThemDown() {
    environments.failing = true;
    recorder = recorder(intake(3, Duration.ZERO, Duration.ofMinutes(1)));
    recorder.accept(upsert(1, sha(1), NOW));
    recorder.accept(upsert(2, sha(2), NOW));
    recorder.accept(upsert(3, sha(3), NOW));

    assertThatThrownBy(() -> recorder.accept(upsert(4, sha(4), NOW)))
        .isInstanceOf(BacklogFullException.class)
        .hasMessageContaining("max-backlog=3");
    assertThat(journal.unfinished).hasSize(3);
    assertThat(journal.unfinished.values())
        .extracting(u -> u.trigger().pullRequest())
        .containsExactlyInAnyOrder(1, 2, 3);
    assertThat(recorder.backlog()).isEqualTo(3);
  }

  @Test
  void awaitRecordedIsFalseWhileAPullRequestsChangeCannotBeRecordedAndTrueAfter() {
    environments.failing = true;
    recorder = recorder(intake(1000, Duration.ZERO, Duration.ofMinutes(1)));
    recorder.accept(upsert(7, sha(7), NOW));

    assertThat(recorder.awaitRecorded(REPO, 7, Duration.ofMillis(200))).isFalse();
    assertThat(recorder.awaitRecorded(REPO, 8, Duration.ZERO)).isTrue();
    assertThat(recorder.awaitRecorded("acme/other", 7, Duration.ZERO)).isTrue();

    environments.failing = false;

    assertThat(recorder.awaitRecorded(REPO, 7, PATIENCE)).isTrue();
    assertThat(environments.shop(7)).isPresent();
  }

  @Test
  void aBurstOfChangesOfOneEnvironmentCostsFewWritesAndEndsAtTheLatestHead() throws Exception {
    recorder = recorder(intake(1000, Duration.ofMillis(300), Duration.ofMinutes(1)));
    recorder.accept(upsert(1, sha(0), NOW)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    assertThat(requests.calls.get()).isEqualTo(1);

    List<CompletableFuture<Upserted>> burst = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      burst.add(recorder.accept(upsert(1, sha(i), NOW.plusSeconds(i))));
    }
    CompletableFuture.allOf(burst.toArray(CompletableFuture[]::new))
        .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

    int burstWrites = requests.calls.get() - 1;
    assertThat(burstWrites).isBetween(1, 5);
    assertThat(Collections.max(requests.batchSizes)).isGreaterThanOrEqualTo(10);
    assertThat(requests.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(21);
    assertThat(environments.shop(1)).map(e -> e.getSpec().trigger().headSha()).contains(sha(20));
    assertThat(burst).allSatisfy(r -> assertThat(r.join().outcome()).isEqualTo(Outcome.UPDATED));
    assertThat(journal.unfinished).isEmpty();
  }

  @Test
  void writesAcrossEnvironmentsArePacedByMaxWritesPerSecond() throws Exception {
    recorder = recorder(intake(1000, Duration.ZERO, Duration.ofMinutes(1), 2));

    List<CompletableFuture<Upserted>> results = new ArrayList<>();
    for (int pr = 1; pr <= 6; pr++) {
      results.add(recorder.accept(upsert(pr, sha(pr), NOW)));
    }
    CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

    // Two at once (a second's worth), then one every half second: the sixth no sooner than 1.5 s
    // after the first (a lower bound only, so a slow machine cannot fail it).
    List<Long> started = requests.startedAt.stream().sorted().toList();
    assertThat(started).hasSize(6);
    assertThat(Duration.ofNanos(started.get(5) - started.get(0)))
        .isGreaterThanOrEqualTo(Duration.ofMillis(1450));
    assertThat(results).allSatisfy(r -> assertThat(r.join().outcome()).isEqualTo(Outcome.CREATED));
  }

  @Test
  void recordsWhatAPreviousRunAcceptedButDidNotRecord() {
    Upsert recent = upsert(1, sha(1), NOW.minusSeconds(10));
    Upsert tooOld = upsert(2, sha(2), NOW.minusSeconds(7200));
    journal.unfinished.put(101L, recent);
    journal.unfinished.put(102L, tooOld);
    journal.recovered.add(new IntakeJournal.Journaled(101L, recent, NOW.minusSeconds(10)));
    journal.recovered.add(new IntakeJournal.Journaled(102L, tooOld, NOW.minusSeconds(7200)));
    recorder = recorder(intake(1000, Duration.ZERO, Duration.ofHours(1)));

    recorder.recoverJournal();

    await().atMost(PATIENCE).until(() -> journal.unfinished.isEmpty());
    assertThat(environments.shop(1)).isPresent();
    assertThat(environments.shop(2)).isEmpty();
    assertThat(recorder.backlog()).isZero();
  }

  private IntakeRecorder recorder(GitHubConfig.Intake intake) {
    return new IntakeRecorder(journal, requests, intake, clock);
  }

  private static GitHubConfig.Intake intake(
      int maxBacklog, Duration minWriteInterval, Duration giveUpAfter) {
    return intake(maxBacklog, minWriteInterval, giveUpAfter, 1000);
  }

  private static GitHubConfig.Intake intake(
      int maxBacklog, Duration minWriteInterval, Duration giveUpAfter, int maxWritesPerSecond) {
    return new GitHubConfig.Intake() {
      @Override
      public Path journalDir() {
        return Path.of("target", "intake-journal");
      }

      @Override
      public Duration ackWait() {
        return Duration.ofMillis(10);
      }

      @Override
      public int maxBacklog() {
        return maxBacklog;
      }

      @Override
      public Duration minWriteInterval() {
        return minWriteInterval;
      }

      @Override
      public int maxWritesPerSecond() {
        return maxWritesPerSecond;
      }

      @Override
      public Duration giveUpAfter() {
        return giveUpAfter;
      }
    };
  }

  private static Upsert upsert(int pullRequest, String sha, Instant requestedAt) {
    return FileIntakeJournalTest.upsert(pullRequest, sha, Optional.empty(), requestedAt);
  }

  private static String sha(int n) {
    return String.format("%040x", n);
  }

  /** The fake, counting batch writes; {@link #failure} makes each one throw it. */
  private static final class CountingRequests implements EnvironmentRequests {
    final EnvironmentRequests delegate;
    final AtomicInteger calls = new AtomicInteger();
    final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
    final List<Long> startedAt = Collections.synchronizedList(new ArrayList<>());
    volatile RuntimeException failure;

    CountingRequests(EnvironmentRequests delegate) {
      this.delegate = delegate;
    }

    @Override
    public List<Upserted> upsertAll(List<Upsert> batch) {
      startedAt.add(System.nanoTime());
      calls.incrementAndGet();
      batchSizes.add(batch.size());
      RuntimeException fail = failure;
      if (fail != null) {
        throw fail;
      }
      return delegate.upsertAll(batch);
    }

    @Override
    public Upserted upsert(Upsert request) {
      return upsertAll(List.of(request)).get(0);
    }

    @Override
    public List<String> destroy(Selector selector, String reason, String requestedBy) {
      return delegate.destroy(selector, reason, requestedBy);
    }

    @Override
    public Instant extend(String name, Duration by, String requestedBy) {
      return delegate.extend(name, by, requestedBy);
    }

    @Override
    public void rebuild(String name, Optional<String> component, String requestedBy) {
      delegate.rebuild(name, component, requestedBy);
    }

    @Override
    public Optional<Environment> get(String name) {
      return delegate.get(name);
    }

    @Override
    public List<Environment> find(Selector selector) {
      return delegate.find(selector);
    }
  }
}

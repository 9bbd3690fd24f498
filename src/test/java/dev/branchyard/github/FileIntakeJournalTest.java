package dev.branchyard.github;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.branchyard.github.IntakeJournal.Journaled;
import dev.branchyard.lifecycle.EnvironmentRequests.Upsert;
import dev.branchyard.lifecycle.Trigger;
import dev.branchyard.lifecycle.TriggerSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file journal: what a new journal on the same directory recovers, slots, compaction. */
class FileIntakeJournalTest {

  private static final Instant NOW = Instant.parse("2026-11-20T14:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final long NEVER_COMPACT = Long.MAX_VALUE;

  private final ObjectMapper json = new ObjectMapper().findAndRegisterModules();
  private final List<FileIntakeJournal> opened = new ArrayList<>();

  @TempDir Path directory;

  @AfterEach
  void closeWhatIsOpen() {
    opened.forEach(FileIntakeJournal::close);
  }

  @Test
  void recoversWhatWasAppendedButNotMarkedDoneAfterReopening() {
    FileIntakeJournal first = open(NEVER_COMPACT, CLOCK);
    Upsert withTtl = upsert(1, sha(1), Optional.of("8h"), NOW.minusSeconds(30));
    Upsert withoutTtl = upsert(2, sha(2), Optional.empty(), NOW.minusSeconds(20));
    long one = first.append(withTtl);
    long two = first.append(withoutTtl);
    first.close();
    opened.remove(first);

    FileIntakeJournal second =
        open(NEVER_COMPACT, Clock.fixed(NOW.plusSeconds(3600), ZoneOffset.UTC));

    assertThat(second.recovered())
        .containsExactly(new Journaled(one, withTtl, NOW), new Journaled(two, withoutTtl, NOW));
    assertThat(second.recovered().get(0).upsert().trigger().source())
        .isEqualTo(TriggerSource.PullRequest);
    assertThat(second.unfinishedCount()).isEqualTo(2);
  }

  @Test
  void doesNotRecoverWhatWasMarkedDone() {
    FileIntakeJournal first = open(NEVER_COMPACT, CLOCK);
    long recorded = first.append(upsert(1, sha(1), Optional.empty(), NOW));
    long notRecorded = first.append(upsert(2, sha(2), Optional.empty(), NOW));
    first.done(recorded);
    first.close();
    opened.remove(first);

    FileIntakeJournal second = open(NEVER_COMPACT, CLOCK);

    assertThat(second.recovered()).extracting(Journaled::sequence).containsExactly(notRecorded);
  }

  @Test
  void recoversNothingWhenEverythingWasMarkedDone() {
    FileIntakeJournal first = open(NEVER_COMPACT, CLOCK);
    first.done(first.append(upsert(1, sha(1), Optional.empty(), NOW)));
    first.done(first.append(upsert(1, sha(2), Optional.empty(), NOW)));
    assertThat(first.unfinishedCount()).isZero();
    first.close();
    opened.remove(first);

    assertThat(open(NEVER_COMPACT, CLOCK).recovered()).isEmpty();
  }

  @Test
  void skipsATornLastLineAndRecoversTheRest() throws IOException {
    FileIntakeJournal first = open(NEVER_COMPACT, CLOCK);
    Upsert a = upsert(1, sha(1), Optional.empty(), NOW);
    Upsert b = upsert(2, sha(2), Optional.empty(), NOW);
    first.append(a);
    first.append(b);
    Path file = first.file();
    first.close();
    opened.remove(first);
    Files.write(
        file,
        "{\"seq\":3,\"spec\":\"shop\",\"trig".getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.APPEND);

    FileIntakeJournal second = open(NEVER_COMPACT, CLOCK);
    assertThat(second.recovered()).extracting(Journaled::upsert).containsExactly(a, b);

    // What is appended after the torn line is readable too: the torn bytes are gone.
    Upsert c = upsert(3, sha(3), Optional.empty(), NOW);
    second.append(c);
    second.close();
    opened.remove(second);
    assertThat(open(NEVER_COMPACT, CLOCK).recovered())
        .extracting(Journaled::upsert)
        .containsExactly(a, b, c);
  }

  @Test
  void twoOpenJournalsOnOneDirectoryWriteDifferentFilesAndEachRecoversOnlyItsOwn() {
    FileIntakeJournal one = open(NEVER_COMPACT, CLOCK);
    FileIntakeJournal two = open(NEVER_COMPACT, CLOCK);
    assertThat(one.file()).isNotEqualTo(two.file());
    Upsert ofOne = upsert(1, sha(1), Optional.empty(), NOW);
    Upsert ofTwo = upsert(2, sha(2), Optional.empty(), NOW);
    one.append(ofOne);
    two.append(ofTwo);
    Path fileOfOne = one.file();
    Path fileOfTwo = two.file();
    one.close();
    two.close();
    opened.clear();

    FileIntakeJournal again = open(NEVER_COMPACT, CLOCK);
    FileIntakeJournal againToo = open(NEVER_COMPACT, CLOCK);

    assertThat(again.file()).isEqualTo(fileOfOne);
    assertThat(again.recovered()).extracting(Journaled::upsert).containsExactly(ofOne);
    assertThat(againToo.file()).isEqualTo(fileOfTwo);
    assertThat(againToo.recovered()).extracting(Journaled::upsert).containsExactly(ofTwo);
  }

  @Test
  void aNewJournalTakesOverTheFileOfOneThatWasClosed() {
    FileIntakeJournal slotZero = open(NEVER_COMPACT, CLOCK);
    FileIntakeJournal slotOne = open(NEVER_COMPACT, CLOCK);
    Upsert left = upsert(1, sha(1), Optional.empty(), NOW);
    slotZero.append(left);
    slotOne.append(upsert(2, sha(2), Optional.empty(), NOW));
    Path fileOfSlotZero = slotZero.file();
    slotZero.close();
    opened.remove(slotZero);

    FileIntakeJournal next = open(NEVER_COMPACT, CLOCK);

    assertThat(next.file()).isEqualTo(fileOfSlotZero).isNotEqualTo(slotOne.file());
    assertThat(next.recovered()).extracting(Journaled::upsert).containsExactly(left);
  }

  @Test
  void sequenceNumbersGoOnAfterTheRecoveredOnes() {
    FileIntakeJournal first = open(NEVER_COMPACT, CLOCK);
    first.append(upsert(1, sha(1), Optional.empty(), NOW));
    long last = first.append(upsert(1, sha(2), Optional.empty(), NOW));
    first.close();
    opened.remove(first);

    FileIntakeJournal second = open(NEVER_COMPACT, CLOCK);

    assertThat(second.append(upsert(1, sha(3), Optional.empty(), NOW))).isGreaterThan(last);
  }

  @Test
  void compactionKeepsTheFileSmallAndTheUnfinishedEntries() throws IOException {
    FileIntakeJournal journal = open(1024, CLOCK);
    List<Upsert> unfinished = new ArrayList<>();
    long written = 0;
    for (int i = 0; i < 300; i++) {
      Upsert upsert = upsert(i, sha(i), Optional.empty(), NOW.plusSeconds(i));
      long sequence = journal.append(upsert);
      written += lineLength(upsert);
      if (i % 100 == 0) {
        unfinished.add(upsert);
      } else {
        journal.done(sequence);
      }
    }
    Path file = journal.file();

    assertThat(written).isGreaterThan(50 * 1024);
    assertThat(Files.size(file)).isLessThan(8 * 1024);

    journal.close();
    opened.remove(journal);
    assertThat(open(1024, CLOCK).recovered())
        .extracting(Journaled::upsert)
        .containsExactlyElementsOf(unfinished);
  }

  @Test
  void concurrentAppendsGetDistinctNumbersAndAreAllRecovered() throws Exception {
    FileIntakeJournal journal = open(NEVER_COMPACT, CLOCK);
    int threads = 8;
    int each = 50;
    Set<Long> sequences = ConcurrentHashMap.newKeySet();
    Set<Upsert> appended = ConcurrentHashMap.newKeySet();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < each; i++) {
                    Upsert upsert =
                        upsert(thread * 1000 + i, sha(thread * 1000 + i), Optional.empty(), NOW);
                    sequences.add(journal.append(upsert));
                    appended.add(upsert);
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> future : done) {
        future.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(sequences).hasSize(threads * each);
    assertThat(journal.unfinishedCount()).isEqualTo(threads * each);
    journal.close();
    opened.remove(journal);

    List<Journaled> recovered = open(NEVER_COMPACT, CLOCK).recovered();

    assertThat(recovered)
        .extracting(Journaled::sequence)
        .containsExactlyInAnyOrderElementsOf(sequences);
    assertThat(recovered)
        .extracting(Journaled::upsert)
        .containsExactlyInAnyOrderElementsOf(appended);
  }

  private FileIntakeJournal open(long compactAboveBytes, Clock clock) {
    FileIntakeJournal journal = new FileIntakeJournal(directory, json, compactAboveBytes, clock);
    opened.add(journal);
    return journal;
  }

  private long lineLength(Upsert upsert) throws IOException {
    return json.writeValueAsBytes(upsert.trigger()).length + 100L;
  }

  /** A synchronize of acme/shop-web's pull request {@code pullRequest} to {@code sha}. */
  static Upsert upsert(int pullRequest, String sha, Optional<String> ttl, Instant at) {
    return new Upsert(
        "shop",
        new Trigger(
            TriggerSource.PullRequest,
            "acme/shop-web",
            pullRequest,
            "feature-" + pullRequest,
            "main",
            sha,
            "octocat",
            false),
        ttl,
        at);
  }

  private static String sha(int n) {
    return String.format("%040x", n);
  }
}

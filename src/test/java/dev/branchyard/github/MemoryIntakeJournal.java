package dev.branchyard.github;

import dev.branchyard.lifecycle.EnvironmentRequests.Upsert;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/** An {@link IntakeJournal} in memory, for tests of what uses one (not durable, by design). */
final class MemoryIntakeJournal implements IntakeJournal {

  final Map<Long, Upsert> unfinished = new ConcurrentSkipListMap<>();
  final List<Journaled> recovered = new ArrayList<>();
  private final AtomicLong sequence = new AtomicLong();
  volatile boolean broken;

  @Override
  public long append(Upsert upsert) {
    if (broken) {
      throw new JournalUnavailableException("disk full (test)", new java.io.IOException("ENOSPC"));
    }
    long number = sequence.incrementAndGet();
    unfinished.put(number, upsert);
    return number;
  }

  @Override
  public void done(long number) {
    unfinished.remove(number);
  }

  @Override
  public List<Journaled> recovered() {
    return recovered;
  }
}

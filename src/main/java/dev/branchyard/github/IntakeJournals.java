package dev.branchyard.github;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** The {@link IntakeJournal} in use: a file in {@code branchyard.github.intake.journal-dir}. */
@ApplicationScoped
public class IntakeJournals {

  /** The journal file is rewritten with only its unfinished entries once it grows past this. */
  private static final long COMPACT_ABOVE_BYTES = 4L * 1024 * 1024;

  @Produces
  @Singleton
  IntakeJournal journal(GitHubConfig config, ObjectMapper json, Clock clock) {
    return new FileIntakeJournal(config.intake().journalDir(), json, COMPACT_ABOVE_BYTES, clock);
  }

  void close(@Disposes IntakeJournal journal) {
    if (journal instanceof FileIntakeJournal file) {
      file.close();
    }
  }
}

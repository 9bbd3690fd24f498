package dev.branchyard.github;

import dev.branchyard.lifecycle.EnvironmentRequests.Upsert;
import java.time.Instant;
import java.util.List;

/**
 * Where the webhook intake writes down each environment change it accepted before it answers
 * GitHub, so that a change accepted but not yet recorded on its Environment survives a crash or a
 * restart of the process: at start-up the changes not marked done are recorded again (upserts are
 * latest-wins, so doing one twice changes nothing).
 */
public interface IntakeJournal {

  /**
   * Writes an upsert down durably (on disk when this returns).
   *
   * @return its sequence number, for {@link #done(long)}
   * @throws JournalUnavailableException when it could not be written down
   */
  long append(Upsert upsert);

  /** Marks an upsert recorded on its Environment (or given up); not forced to disk. */
  void done(long sequence);

  /** The upserts a previous run accepted but did not mark done, oldest first. */
  List<Journaled> recovered();

  /**
   * An upsert written down.
   *
   * @param sequence its number in this journal
   * @param upsert the change
   * @param acceptedAt when it was written down
   */
  record Journaled(long sequence, Upsert upsert, Instant acceptedAt) {}

  /** The journal cannot be written: the delivery must not be acknowledged. */
  final class JournalUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JournalUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}

package dev.branchyard.build;

/**
 * One attempt's way into a build's log, from {@link BuildLogStore#open}. {@link #line} may be
 * called from any thread. Lines are stored in batches while the build runs; {@link #close} stores
 * the rest and marks the log complete. Lines written after {@code close} are ignored.
 */
public interface BuildLogWriter extends BuildLog, AutoCloseable {

  /**
   * Where the log is kept, for {@code ImageBuild.status.logRef}: {@code configmap/<name>} in the
   * build's namespace.
   */
  String logRef();

  /**
   * Ends this attempt's log: stores the remaining lines and marks the log complete. Never throws
   * for a failed write: the lines stay in memory and are retried. Idempotent.
   */
  @Override
  void close();
}

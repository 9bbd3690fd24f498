package dev.branchyard.build;

/** One attempt's log, written line by line; {@link #close()} marks the attempt's end. */
public interface BuildLogWriter extends BuildLog, AutoCloseable {

  @Override
  void close();
}

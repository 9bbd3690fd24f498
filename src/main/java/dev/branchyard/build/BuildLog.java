package dev.branchyard.build;

/**
 * Where a build's output goes, one line at a time; the caller decides (status page, events, a
 * test's list). Lines arrive with secret build-arg values already masked. Called from the builder's
 * output-reading thread, so implementations must be safe to call from a thread not their own.
 */
@FunctionalInterface
public interface BuildLog {

  void line(String line);
}

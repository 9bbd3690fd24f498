package dev.branchyard.lifecycle;

/**
 * Whether this replica is the one that runs the clocks (TTL expiry, warnings, the orphan reaper,
 * build pruning). Several replicas may run; only the leader may delete things on a timer, or two
 * would race. Every job asks before it acts and skips quietly when the answer is no.
 */
public interface Leadership {

  /** True while this replica holds the leadership. */
  boolean isLeader();
}

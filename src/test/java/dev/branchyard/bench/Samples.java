package dev.branchyard.bench;

import java.util.Arrays;

/** Order statistics of timed samples, shared by the bench harnesses. */
final class Samples {

  private Samples() {}

  static long median(long[] nanos) {
    return percentile(nanos, 50);
  }

  /** Nearest-rank percentile. */
  static long percentile(long[] nanos, int percentile) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }
}

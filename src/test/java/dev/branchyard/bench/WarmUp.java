package dev.branchyard.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * How long the intake bench warms up before it measures: at least {@code minSeconds}, then, when
 * Branchyard's process id is known, until the JIT compilers of both JVMs (Branchyard's, read with
 * {@code jstat -compiler}, and the load generator's own) spent less than {@link #SETTLED_MS} of
 * compile time in a {@link #SLICE_SECONDS}-second slice; at most {@code maxSeconds}.
 *
 * <p>Why: on two cores shared with the API server, etcd and the load generator, Branchyard's C2
 * compiler was still compiling the HTTP stack and Jackson 20 s into the load (up to a second per
 * method), and the run's slow answers all fell in the seconds it did. A fixed warm-up measured how
 * far the JIT had got, not the intake. Without a process id the warm-up is {@code minSeconds}.
 *
 * @param minSeconds the shortest warm-up
 * @param maxSeconds the longest warm-up, settled or not
 * @param appPid Branchyard's process, to read its compile time from
 */
record WarmUp(int minSeconds, int maxSeconds, Optional<Long> appPid) {

  /** The warm-up is sent in slices of this many seconds. */
  static final int SLICE_SECONDS = 5;

  /** Compile time per slice, both JVMs together, under which the JIT counts as settled. */
  static final long SETTLED_MS = 100;

  WarmUp {
    if (minSeconds < 0 || maxSeconds < minSeconds) {
      throw new IllegalArgumentException(
          "--warm-up-seconds must be at least 0 and at most --max-warm-up-seconds, got "
              + minSeconds
              + " and "
              + maxSeconds);
    }
  }

  /**
   * How the warm-up went.
   *
   * @param seconds how long it was
   * @param settled whether the JIT settled (false: no process id, or still compiling at the end)
   * @param jitMillisPerSlice compile time of both JVMs in each slice whose time was read
   */
  record Outcome(int seconds, boolean settled, List<Long> jitMillisPerSlice) {}

  /** Sends slice {@code index} of the warm-up at the bench's rate and waits for its answers. */
  interface Slice {
    void send(int index) throws Exception;
  }

  /** The most slices a warm-up may take. */
  int maxSlices() {
    return Math.max(1, (maxSeconds + SLICE_SECONDS - 1) / SLICE_SECONDS);
  }

  /** Whether a warm-up that sent {@code slices} slices, with these compile times, may end. */
  boolean done(int slices, List<Long> jitMillisPerSlice) {
    if (slices >= maxSlices()) {
      return true;
    }
    if (slices * SLICE_SECONDS < minSeconds) {
      return false;
    }
    return appPid.isEmpty() || settled(jitMillisPerSlice);
  }

  static boolean settled(List<Long> jitMillisPerSlice) {
    return !jitMillisPerSlice.isEmpty()
        && jitMillisPerSlice.get(jitMillisPerSlice.size() - 1) < SETTLED_MS;
  }

  /**
   * Sends slices until {@link #done}. The compile time at the end of each slice is read while the
   * next slice is sent, so a slice's figure is known one slice later and reading it (a jstat
   * process) never precedes the measured run.
   */
  Outcome run(Slice slice) throws Exception {
    List<Long> perSlice = new ArrayList<>();
    long before = appPid.isPresent() ? jitMillis() : 0;
    CompletableFuture<Long> reading = null;
    int sent = 0;
    while (true) {
      slice.send(sent);
      sent++;
      if (reading != null) {
        long now = reading.join();
        perSlice.add(now - before);
        before = now;
      }
      System.out.printf(
          "warm-up: %d s sent%s%n",
          sent * SLICE_SECONDS,
          perSlice.isEmpty()
              ? ""
              : ", JIT compile time in slice "
                  + perSlice.size()
                  + ": "
                  + perSlice.get(perSlice.size() - 1)
                  + " ms");
      if (done(sent, perSlice)) {
        return new Outcome(
            sent * SLICE_SECONDS, appPid.isPresent() && settled(perSlice), List.copyOf(perSlice));
      }
      if (appPid.isPresent()) {
        reading = CompletableFuture.supplyAsync(this::jitMillisUnchecked);
      }
    }
  }

  private long jitMillisUnchecked() {
    try {
      return jitMillis();
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Compile time so far of Branchyard's JVM and this one, in milliseconds. */
  private long jitMillis() throws IOException, InterruptedException {
    long pid = appPid.orElseThrow();
    Process jstat =
        new ProcessBuilder("jstat", "-compiler", Long.toString(pid))
            .redirectErrorStream(true)
            .start();
    String out = new String(jstat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!jstat.waitFor(30, TimeUnit.SECONDS) || jstat.exitValue() != 0) {
      throw new IllegalStateException("jstat -compiler " + pid + " failed: " + out.strip());
    }
    return appCompileMillis(out, pid)
        + ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
  }

  /**
   * The {@code Time} column (seconds) of {@code jstat -compiler}'s output, in milliseconds:
   *
   * <pre>
   * Compiled Failed Invalid   Time   FailedType FailedMethod
   *     8031      1       0    41.37          1 some/Class method
   * </pre>
   */
  static long appCompileMillis(String jstatOutput, long pid) {
    String[] lines = jstatOutput.strip().split("\n");
    if (lines.length < 2 || !lines[0].strip().startsWith("Compiled")) {
      throw new IllegalStateException(
          "unexpected output of jstat -compiler " + pid + ": " + jstatOutput.strip());
    }
    String[] header = lines[0].strip().split("\\s+");
    String[] values = lines[1].strip().split("\\s+");
    int column = List.of(header).indexOf("Time");
    if (column < 0 || column >= values.length) {
      throw new IllegalStateException(
          "no Time column in jstat -compiler " + pid + ": " + jstatOutput.strip());
    }
    return Math.round(Double.parseDouble(values[column]) * 1000);
  }
}

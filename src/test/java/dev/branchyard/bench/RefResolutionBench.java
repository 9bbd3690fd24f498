package dev.branchyard.bench;

import static dev.branchyard.bench.Samples.median;
import static dev.branchyard.bench.Samples.percentile;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.branchyard.git.JGitRefs;
import dev.branchyard.git.RefResolution;
import dev.branchyard.git.RefResolver;
import dev.branchyard.testing.GitHttpServer;
import dev.branchyard.testing.GitHttpServer.TestRepository;
import dev.branchyard.testing.TestGitConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.eclipse.jgit.util.FileUtils;

/**
 * How long resolving a 20-repository stack takes, served over local HTTP by {@link GitHttpServer}:
 * cold (new resolver, empty cache), warm (every repository cached), and the baseline a shell script
 * would use, {@code git ls-remote} per repository in sequence. Not a test: run it with {@code
 * scripts/bench-refs.sh}. Writes {@code target/bench/ref-resolution.json} and prints a markdown
 * table.
 *
 * <p>Cold runs start after a few unmeasured ones, so they measure a resolution in a running
 * Branchyard (JIT-compiled, HTTP keep-alive pool as the JDK keeps it), not JVM start-up.
 */
public final class RefResolutionBench {

  private static final int REPOS = 20;
  private static final int RUNS = 20;
  private static final int WARM_UP_RUNS = 3;
  private static final Duration COLD_TARGET = Duration.ofSeconds(1);
  private static final Duration WARM_TARGET = Duration.ofMillis(50);

  private RefResolutionBench() {}

  public static void main(String[] args) throws Exception {
    int parallelism = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    Path output = Path.of(args.length > 1 ? args[1] : "target/bench/ref-resolution.json");
    Path root = Files.createTempDirectory("branchyard-bench-");
    try (GitHttpServer server = GitHttpServer.start(root)) {
      List<String> stack = createStack(server);
      TestGitConfig config =
          TestGitConfig.defaults()
              .withGithubBaseUrl(server.baseUrl())
              .withMaxParallelism(parallelism);

      for (int i = 0; i < WARM_UP_RUNS; i++) {
        coldRun(config, stack);
      }
      long[] cold = new long[RUNS];
      for (int i = 0; i < RUNS; i++) {
        cold[i] = coldRun(config, stack);
      }

      long[] warm = new long[RUNS];
      try (RefResolver resolver =
          new RefResolver(new JGitRefs(config), config, Clock.systemUTC())) {
        checkComplete(resolver.resolveAll(stack));
        for (int i = 0; i < RUNS; i++) {
          long start = System.nanoTime();
          checkComplete(resolver.resolveAll(stack));
          warm[i] = System.nanoTime() - start;
        }
      }

      long[] git = new long[RUNS];
      for (int i = 0; i < RUNS; i++) {
        long start = System.nanoTime();
        for (String repo : stack) {
          gitLsRemote(server.urlOf(repo));
        }
        git[i] = System.nanoTime() - start;
      }

      Map<String, Object> result = new LinkedHashMap<>();
      result.put("repos", REPOS);
      result.put("runs", RUNS);
      result.put("maxParallelism", parallelism);
      result.put("coldMs", stats(cold));
      result.put("warmMs", stats(warm));
      result.put("gitLsRemoteSequentialMs", stats(git));
      boolean coldOk = median(cold) < COLD_TARGET.toNanos() && median(cold) < median(git);
      boolean warmOk = median(warm) < WARM_TARGET.toNanos();
      result.put("targetsMet", Map.of("cold", coldOk, "warm", warmOk));
      Files.createDirectories(output.toAbsolutePath().getParent());
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(output.toFile(), result);

      System.out.println();
      System.out.println(
          "Ref resolution, "
              + REPOS
              + " repos over local HTTP, "
              + RUNS
              + " runs each, "
              + "max-parallelism "
              + parallelism);
      System.out.println();
      System.out.println("| case | median | p95 | min | max | target |");
      System.out.println("|---|---:|---:|---:|---:|---|");
      row("JGit cold (new resolver, empty cache)", cold, "< 1 s and < git: " + verdict(coldOk));
      row("JGit warm (cached)", warm, "< 50 ms: " + verdict(warmOk));
      row("`git ls-remote` x" + REPOS + ", sequential", git, "baseline");
      System.out.println();
      System.out.println("Written to " + output);
    } finally {
      FileUtils.delete(root.toFile(), FileUtils.RECURSIVE | FileUtils.IGNORE_ERRORS);
    }
  }

  private static List<String> createStack(GitHttpServer server) {
    List<String> stack =
        IntStream.rangeClosed(1, REPOS).mapToObj(i -> "stack/service-" + i).toList();
    for (String name : stack) {
      TestRepository repo = server.createRepository(name);
      String previous = null;
      // A little history and a realistic handful of branches and tags per repository.
      for (int c = 1; c <= 5; c++) {
        previous = repo.commit("main", Map.of("app.txt", name + " v" + c + "\n"), "change " + c);
        repo.annotatedTag("v1." + c + ".0", previous);
      }
      for (int b = 1; b <= 10; b++) {
        repo.branch("feature/topic-" + b, previous);
      }
    }
    return stack;
  }

  private static long coldRun(TestGitConfig config, List<String> stack) {
    long start = System.nanoTime();
    try (RefResolver resolver = new RefResolver(new JGitRefs(config), config, Clock.systemUTC())) {
      checkComplete(resolver.resolveAll(stack));
    }
    return System.nanoTime() - start;
  }

  private static void checkComplete(RefResolution resolution) {
    if (!resolution.complete()) {
      throw new IllegalStateException("resolution failed: " + resolution.failures());
    }
  }

  private static void gitLsRemote(String url) throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder("git", "ls-remote", url)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().put("GIT_TERMINAL_PROMPT", "0");
    Process git = builder.start();
    if (!git.waitFor(30, TimeUnit.SECONDS) || git.exitValue() != 0) {
      git.destroyForcibly();
      throw new IllegalStateException("git ls-remote " + url + " failed");
    }
  }

  private static Map<String, Object> stats(long[] nanos) {
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("median", millis(median(nanos)));
    stats.put("p95", millis(percentile(nanos, 95)));
    stats.put("min", millis(Arrays.stream(nanos).min().orElseThrow()));
    stats.put("max", millis(Arrays.stream(nanos).max().orElseThrow()));
    stats.put("samples", Arrays.stream(nanos).mapToObj(RefResolutionBench::millis).toList());
    return stats;
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 10_000.0) / 100.0;
  }

  private static void row(String name, long[] nanos, String target) {
    System.out.printf(
        "| %s | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %s |%n",
        name,
        millis(median(nanos)),
        millis(percentile(nanos, 95)),
        millis(Arrays.stream(nanos).min().orElseThrow()),
        millis(Arrays.stream(nanos).max().orElseThrow()),
        target);
  }

  private static String verdict(boolean ok) {
    return ok ? "met" : "MISSED";
  }
}

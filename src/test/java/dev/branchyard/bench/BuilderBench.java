package dev.branchyard.bench;

import static dev.branchyard.bench.Samples.median;
import static dev.branchyard.bench.Samples.percentile;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.branchyard.build.BuildRequest;
import dev.branchyard.build.BuildResult;
import dev.branchyard.build.BuildResult.Succeeded;
import dev.branchyard.build.BuildStatuses;
import dev.branchyard.build.ControllerHarness;
import dev.branchyard.build.EnvironmentImages;
import dev.branchyard.build.ImageBuild;
import dev.branchyard.build.ImageBuildPhase;
import dev.branchyard.build.ImageBuildRequests;
import dev.branchyard.build.ImageBuildSpec;
import dev.branchyard.build.ImageBuilder;
import dev.branchyard.build.ImageRef;
import dev.branchyard.build.LocalBuildahBuilder;
import dev.branchyard.build.OciRegistryClient;
import dev.branchyard.build.RegistryException;
import dev.branchyard.git.JGitCheckout;
import dev.branchyard.platform.ClusterManifests;
import dev.branchyard.testing.GitHttpServer;
import dev.branchyard.testing.GitHttpServer.TestRepository;
import dev.branchyard.testing.LocalPlatform;
import dev.branchyard.testing.LocalRegistry;
import dev.branchyard.testing.TestBuildConfig;
import dev.branchyard.testing.TestGitConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The image builder's costs, against a real registry ({@link LocalRegistry}) and real buildah. Not
 * a test: run it with {@code scripts/bench-builder.sh [--only head,overhead,environment,dedup]
 * [--output FILE]}. Writes {@code target/bench/builder.json} and prints a markdown table per part.
 *
 * <p><b>head</b>, the skip check: latency of {@link OciRegistryClient#digestOf} over loopback, for
 * a tag that exists (200) and one that does not (404), with a client whose cache TTL is zero, so
 * every call sends a HEAD (an entry expiring "now" is expired on the next read); target p99 &lt; 10
 * ms. The same client serves all calls, keeping its connection alive as a running Branchyard does.
 * A client with the default TTL is measured apart (cached). The bench then deletes the manifest and
 * checks that the uncached client sees it gone while the cached one does not: proof that the
 * uncached numbers are HEADs.
 *
 * <p><b>overhead</b>: the local backend ({@link LocalBuildahBuilder}: JGit checkout of the commit
 * from {@link GitHttpServer} through the repository's local mirror, {@code buildah bud}, {@code
 * buildah push}, {@code buildah rmi}) against {@code buildah bud && buildah push} run from {@code
 * sh -c} with the backend's flags and storage (vfs, chroot isolation, the same --root/--runroot,
 * containers.conf and TMPDIR) on a directory checked out beforehand, outside the timing; target:
 * backend median / shell median &minus; 1 &lt; 15%. The backend is measured three ways: cold (the
 * first build of a repository: an empty mirror directory, so the commit is fetched into a new
 * mirror), warm with a new commit (the mirror holds earlier commits and fetches only what the new
 * one adds: the usual push to a pull request) and warm with a commit the mirror already holds. The
 * checkout is the backend's own work and counts against it. The backend removes the pushed image
 * from local storage after it has returned its result; the bench waits for that removal after the
 * timing, so it never overlaps the next run. The checkout and a removal are also timed apart (the
 * checkout alone, the same three ways; rmi: the shell side's clean-up) to show the split.
 *
 * <p>The git server is {@link GitHttpServer} in this JVM, with TCP_NODELAY set as git's own HTTP
 * servers set it: without it each response waited 40 ms for a delayed ACK, which made the checkout
 * of a new commit take 165 ms instead of 20 to 40 ms.
 *
 * <p>Three warm-up rounds (all cases and the shell) come before the five measured ones. With one,
 * the backend's runs that fetch were 90 to 130 ms slower than the shell's while the fetch alone
 * took 30 to 45 ms; with three, the difference is about the fetch. The likely cause is the JIT
 * still compiling the fetch's code (JGit and the in-process git server) during the next builds, on
 * the same two cores as buildah: a cost of the first few builds of a process, not of each build.
 *
 * <p>Every run, on either side and including warm-ups, builds its own commit: the same Dockerfile
 * ({@code FROM scratch}, {@code COPY} of one small file) with different file content, pushed under
 * its own tag. So each push uploads a new layer, config and manifest, as a new commit does in real
 * use, and neither buildah's storage nor blobs already in the registry make later runs cheaper
 * (with the same content, a push would find every blob present and only send the manifest).
 * Otherwise both sides are treated alike: same storage, flags and registry; runs interleaved
 * (backend, shell, backend, ...) so load from other work on the host falls on both; and the shell
 * side's image is removed after its timing, so every run starts from the same local storage.
 */
public final class BuilderBench {

  /**
   * The parts {@code --only} selects. Further parts (many concurrent requests for one image giving
   * one build; a 10-component environment getting past the build step) come as constants here, each
   * with its own method in {@link #main} and its own key in the JSON.
   */
  enum Part {
    HEAD,
    OVERHEAD,
    ENVIRONMENT,
    DEDUP;

    String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final int HEAD_CALLS = 200;
  private static final int HEAD_WARM_UP_CALLS = 50;
  private static final Duration HEAD_P99_TARGET = Duration.ofMillis(10);

  private static final int BUILD_RUNS = 5;
  private static final int BUILD_WARM_UP_RUNS = 3;
  private static final double OVERHEAD_TARGET = 0.15;
  private static final Duration SHELL_TIMEOUT = Duration.ofMinutes(5);

  private static final int ENVIRONMENT_COMPONENTS = 10;
  private static final int ENVIRONMENT_RUNS = 20;
  private static final Duration ENVIRONMENT_TARGET = Duration.ofMillis(200);
  private static final String ENV_SHA = "0123456789abcdef0123456789abcdef01234567";
  private static final int DEDUP_REQUESTS = 50;

  private static final String SITE = "bench/site";
  private static final String DOCKERFILE = "FROM scratch\nCOPY hello.txt /hello.txt\n";

  // As root, containers/image writes this cache whatever --root says (see scripts/registry.sh).
  private static final Path BLOB_INFO_CACHE =
      Path.of("/var/lib/containers/cache/blob-info-cache-v1.boltdb");

  private BuilderBench() {}

  /** What a part measured: its JSON and its lines of the printed report. */
  private record Outcome(Map<String, Object> json, List<String> table) {}

  public static void main(String[] args) throws Exception {
    Set<Part> parts = EnumSet.allOf(Part.class);
    Path output = Path.of("target/bench/builder.json");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--only" -> parts = parseParts(argument(args, ++i, "--only"));
        case "--output" -> output = Path.of(argument(args, ++i, "--output"));
        default ->
            throw new IllegalArgumentException(
                "unknown argument "
                    + args[i]
                    + "; usage: [--only head,overhead,environment,dedup] [--output FILE]");
      }
    }

    boolean hadBlobInfoCache = Files.exists(BLOB_INFO_CACHE);
    // Short: buildah's run-state paths under the work dir must fit socket path limits.
    Path scratch = Files.createTempDirectory(Path.of("/tmp"), "by-bb-");
    Map<String, Throwable> failures = new LinkedHashMap<>();
    try (LocalRegistry registry = LocalRegistry.start();
        Clusters clusters = new Clusters()) {
      Map<String, Outcome> outcomes = new LinkedHashMap<>();
      for (Part part : parts) {
        try {
          outcomes.put(
              part.key(),
              switch (part) {
                case HEAD -> headCheck(registry);
                case OVERHEAD -> overhead(registry, scratch);
                case ENVIRONMENT -> environment(registry, clusters);
                case DEDUP -> dedup(registry, scratch, clusters);
              });
        } catch (Exception | AssertionError e) {
          // Reported here, as it happens: the other parts still run and their results are kept.
          System.err.println("bench part " + part.key() + " failed:");
          e.printStackTrace();
          failures.put(part.key(), e);
        }
      }

      Map<String, Object> result = new LinkedHashMap<>();
      result.put("parts", List.copyOf(outcomes.keySet()));
      outcomes.forEach((key, outcome) -> result.put(key, outcome.json()));
      if (!failures.isEmpty()) {
        Map<String, String> failed = new LinkedHashMap<>();
        failures.forEach((key, e) -> failed.put(key, e.toString()));
        result.put("failed", failed);
      }
      Files.createDirectories(output.toAbsolutePath().getParent());
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(output.toFile(), result);

      for (Outcome outcome : outcomes.values()) {
        System.out.println();
        outcome.table().forEach(System.out::println);
      }
      System.out.println();
      System.out.println("Written to " + output);
    } finally {
      if (!hadBlobInfoCache) {
        Files.deleteIfExists(BLOB_INFO_CACHE);
        deleteIfEmpty(BLOB_INFO_CACHE.getParent());
        deleteIfEmpty(BLOB_INFO_CACHE.getParent().getParent());
      }
      deleteTree(scratch);
    }
    if (!failures.isEmpty()) {
      IllegalStateException failed =
          new IllegalStateException(
              "bench parts failed: "
                  + String.join(", ", failures.keySet())
                  + " (stack traces above)");
      failures.values().forEach(failed::addSuppressed);
      throw failed;
    }
  }

  private static Set<Part> parseParts(String list) {
    Set<Part> parts = EnumSet.noneOf(Part.class);
    for (String name : list.split(",")) {
      Part part =
          Stream.of(Part.values())
              .filter(p -> p.key().equals(name.strip()))
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "unknown part '"
                              + name
                              + "'; parts: "
                              + Stream.of(Part.values())
                                  .map(Part::key)
                                  .collect(Collectors.joining(", "))));
      parts.add(part);
    }
    return parts;
  }

  private static String argument(String[] args, int index, String option) {
    if (index >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[index];
  }

  // ---------------------------------------------------------------- head: the skip check

  private static Outcome headCheck(LocalRegistry registry) throws Exception {
    ImageRef present = new ImageRef(registry.address(), "bench/head", "present");
    ImageRef absent = new ImageRef(registry.address(), "bench/head", "absent");
    String digest = registry.pushScratchImage(present.reference(), "skip check\n");
    TestBuildConfig config = TestBuildConfig.defaults();
    OciRegistryClient uncached =
        new OciRegistryClient(config.withCacheTtl(Duration.ZERO), Clock.systemUTC());
    OciRegistryClient cached = new OciRegistryClient(config, Clock.systemUTC());
    Optional<String> found = Optional.of(digest);

    for (int i = 0; i < HEAD_WARM_UP_CALLS; i++) {
      expect(uncached.digestOf(present), found, present);
      expect(uncached.digestOf(absent), Optional.empty(), absent);
      expect(cached.digestOf(present), found, present);
    }
    long[] hit = new long[HEAD_CALLS];
    long[] miss = new long[HEAD_CALLS];
    long[] cachedHit = new long[HEAD_CALLS];
    for (int i = 0; i < HEAD_CALLS; i++) {
      hit[i] = timeHead(uncached, present, found);
    }
    for (int i = 0; i < HEAD_CALLS; i++) {
      miss[i] = timeHead(uncached, absent, Optional.empty());
    }
    for (int i = 0; i < HEAD_CALLS; i++) {
      cachedHit[i] = timeHead(cached, present, found);
    }

    deleteManifest(present, digest);
    expect(uncached.digestOf(present), Optional.empty(), present);
    expect(cached.digestOf(present), found, present);

    boolean hitOk = percentile(hit, 99) < HEAD_P99_TARGET.toNanos();
    boolean missOk = percentile(miss, 99) < HEAD_P99_TARGET.toNanos();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("calls", HEAD_CALLS);
    json.put("warmUpCalls", HEAD_WARM_UP_CALLS);
    json.put("uncachedPresentMs", stats(hit));
    json.put("uncachedAbsentMs", stats(miss));
    json.put("cachedPresentMs", stats(cachedHit));
    json.put("p99TargetMs", HEAD_P99_TARGET.toMillis());
    json.put("targetsMet", Map.of("uncachedPresent", hitOk, "uncachedAbsent", missOk));

    List<String> table = new ArrayList<>();
    table.add(
        "Skip check (OciRegistryClient.digestOf, HEAD manifest) against docker-registry on"
            + " loopback, "
            + HEAD_CALLS
            + " calls each after "
            + HEAD_WARM_UP_CALLS
            + " warm-up calls, one client (keep-alive)");
    table.add("");
    table.add("| case | median | p95 | p99 | min | max | target |");
    table.add("|---|---:|---:|---:|---:|---:|---|");
    table.add(latencyRow("uncached, tag exists (200)", hit, "p99 < 10 ms: " + verdict(hitOk)));
    table.add(latencyRow("uncached, tag missing (404)", miss, "p99 < 10 ms: " + verdict(missOk)));
    table.add(latencyRow("cached (default TTL), tag exists", cachedHit, "reference"));
    return new Outcome(json, table);
  }

  private static long timeHead(OciRegistryClient client, ImageRef image, Optional<String> expected)
      throws RegistryException {
    long start = System.nanoTime();
    Optional<String> digest = client.digestOf(image);
    long took = System.nanoTime() - start;
    expect(digest, expected, image);
    return took;
  }

  private static void expect(Optional<String> actual, Optional<String> expected, ImageRef image) {
    if (!actual.equals(expected)) {
      throw new IllegalStateException(
          "digestOf(" + image + ") gave " + actual + ", expected " + expected);
    }
  }

  /** Deletes a manifest by digest (the registry runs with delete enabled). */
  private static void deleteManifest(ImageRef image, String digest)
      throws IOException, InterruptedException {
    URI uri =
        URI.create(
            "http://" + image.registry() + "/v2/" + image.repository() + "/manifests/" + digest);
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(uri).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 202) {
      throw new IllegalStateException(
          "DELETE " + uri + " answered " + response.statusCode() + ": " + response.body());
    }
  }

  // ---------------------------------------------------------------- overhead: backend vs shell

  private static Outcome overhead(LocalRegistry registry, Path scratch) throws Exception {
    Path workDir = Files.createDirectories(scratch.resolve("w"));
    Path shellDirs = Files.createDirectories(scratch.resolve("s"));
    Path mirrors = Files.createDirectories(scratch.resolve("m"));
    try (GitHttpServer git = GitHttpServer.start(Files.createDirectories(scratch.resolve("git")))) {
      TestRepository repo = git.createRepository(SITE);
      TestGitConfig gitConfig = TestGitConfig.defaults().withGithubBaseUrl(git.baseUrl());
      TestBuildConfig buildConfig = TestBuildConfig.defaults().withLocalWorkDir(workDir);
      // Warm: one mirror for the whole run, as a running Branchyard keeps it.
      JGitCheckout warmCheckout =
          new JGitCheckout(gitConfig.withMirrorDir(mirrors.resolve("warm")));
      LocalBuildahBuilder warm =
          new LocalBuildahBuilder(warmCheckout, buildConfig, Clock.systemUTC());
      OciRegistryClient verifier =
          new OciRegistryClient(
              TestBuildConfig.defaults().withCacheTtl(Duration.ZERO), Clock.systemUTC());

      int total = BUILD_WARM_UP_RUNS + BUILD_RUNS;
      long[] cold = new long[BUILD_RUNS];
      long[] newCommit = new long[BUILD_RUNS];
      long[] fetched = new long[BUILD_RUNS];
      long[] shell = new long[BUILD_RUNS];
      long[] rmi = new long[total];
      List<String> coldCommits = new ArrayList<>();
      List<String> warmCommits = new ArrayList<>();
      for (int i = 0; i < total; i++) {
        // Cold: the first build of a repository, into an empty mirror directory.
        String coldCommit = commit(repo, "cold", i);
        coldCommits.add(coldCommit);
        LocalBuildahBuilder coldBuilder =
            new LocalBuildahBuilder(
                new JGitCheckout(gitConfig.withMirrorDir(mirrors.resolve("cold-" + i))),
                buildConfig,
                Clock.systemUTC());
        long coldTook =
            timeBackend(
                coldBuilder,
                coldCommit,
                new ImageRef(registry.address(), SITE, "cold-" + i),
                verifier);

        // Warm: a new commit of a repository the mirror holds (the usual push to a PR).
        String warmCommit = commit(repo, "backend", i);
        warmCommits.add(warmCommit);
        long newCommitTook =
            timeBackend(
                warm, warmCommit, new ImageRef(registry.address(), SITE, "backend-" + i), verifier);

        // Warm, commit already in the mirror (fetched before, outside the timing, as a retry or
        // another image of the same commit finds it); its own content, so its push is no cheaper.
        String fetchedCommit = commit(repo, "fetched", i);
        warmCheckout.checkout(SITE, fetchedCommit, scratch.resolve("pre").resolve("run-" + i));
        long fetchedTook =
            timeBackend(
                warm,
                fetchedCommit,
                new ImageRef(registry.address(), SITE, "fetched-" + i),
                verifier);

        // The baseline starts from files already on disk: its checkout is not timed.
        Path dir = shellDirs.resolve("run-" + i);
        warmCheckout.checkout(SITE, commit(repo, "shell", i), dir);
        ImageRef shellImage = new ImageRef(registry.address(), SITE, "shell-" + i);
        long shellTook = timeShell(workDir, dir, shellImage, scratch, verifier);
        rmi[i] = timeRmi(workDir, shellImage, scratch);

        if (i >= BUILD_WARM_UP_RUNS) {
          cold[i - BUILD_WARM_UP_RUNS] = coldTook;
          newCommit[i - BUILD_WARM_UP_RUNS] = newCommitTook;
          fetched[i - BUILD_WARM_UP_RUNS] = fetchedTook;
          shell[i - BUILD_WARM_UP_RUNS] = shellTook;
        }
      }

      // The checkouts alone: the same JGitCheckout kinds and commits, fresh targets.
      long[] coldCheckouts = new long[BUILD_RUNS];
      long[] newCommitCheckouts = new long[BUILD_RUNS];
      long[] fetchedCheckouts = new long[BUILD_RUNS];
      JGitCheckout splitWarm = new JGitCheckout(gitConfig.withMirrorDir(mirrors.resolve("split")));
      for (int i = 0; i < total; i++) {
        Path dir = scratch.resolve("c").resolve("run-" + i);
        JGitCheckout empty =
            new JGitCheckout(gitConfig.withMirrorDir(mirrors.resolve("split-cold-" + i)));
        long a = timeCheckout(empty, coldCommits.get(i), dir.resolve("cold"));
        long b = timeCheckout(splitWarm, warmCommits.get(i), dir.resolve("new"));
        long c = timeCheckout(splitWarm, warmCommits.get(i), dir.resolve("fetched"));
        if (i >= BUILD_WARM_UP_RUNS) {
          coldCheckouts[i - BUILD_WARM_UP_RUNS] = a;
          newCommitCheckouts[i - BUILD_WARM_UP_RUNS] = b;
          fetchedCheckouts[i - BUILD_WARM_UP_RUNS] = c;
        }
      }
      long[] measuredRmi = Arrays.copyOfRange(rmi, BUILD_WARM_UP_RUNS, total);

      double coldOverhead = (double) median(cold) / median(shell) - 1;
      double newCommitOverhead = (double) median(newCommit) / median(shell) - 1;
      double fetchedOverhead = (double) median(fetched) / median(shell) - 1;

      Map<String, Object> json = new LinkedHashMap<>();
      json.put("runs", BUILD_RUNS);
      json.put("warmUpRuns", BUILD_WARM_UP_RUNS);
      json.put("localBackendColdMs", stats(cold));
      json.put("localBackendWarmNewCommitMs", stats(newCommit));
      json.put("localBackendWarmFetchedCommitMs", stats(fetched));
      json.put("shellBudAndPushMs", stats(shell));
      json.put(
          "overhead",
          Map.of(
              "cold", ratio(coldOverhead),
              "warmNewCommit", ratio(newCommitOverhead),
              "warmFetchedCommit", ratio(fetchedOverhead)));
      json.put("overheadTarget", OVERHEAD_TARGET);
      json.put(
          "split",
          Map.of(
              "checkoutColdMs", stats(coldCheckouts),
              "checkoutWarmNewCommitMs", stats(newCommitCheckouts),
              "checkoutWarmFetchedCommitMs", stats(fetchedCheckouts),
              "rmiMs", stats(measuredRmi)));
      json.put(
          "targetsMet",
          Map.of(
              "cold", coldOverhead < OVERHEAD_TARGET,
              "warmNewCommit", newCommitOverhead < OVERHEAD_TARGET,
              "warmFetchedCommit", fetchedOverhead < OVERHEAD_TARGET));

      List<String> table = new ArrayList<>();
      table.add(
          "Builder overhead: `FROM scratch` + `COPY` of one small file, a new commit and tag per"
              + " run, "
              + BUILD_RUNS
              + " runs each after "
              + BUILD_WARM_UP_RUNS
              + " warm-up, interleaved");
      table.add("");
      table.add("| case | median | min | max | target |");
      table.add("|---|---:|---:|---:|---|");
      table.add(
          buildRow(
              "local backend, cold: first build of the repo (empty mirror)",
              cold,
              overheadVerdict(coldOverhead)));
      table.add(
          buildRow(
              "local backend, warm: new commit of a mirrored repo",
              newCommit,
              overheadVerdict(newCommitOverhead)));
      table.add(
          buildRow(
              "local backend, warm: commit already in the mirror",
              fetched,
              overheadVerdict(fetchedOverhead)));
      table.add(buildRow("shell `buildah bud && buildah push`, files on disk", shell, "baseline"));
      table.add(buildRow("  checkout alone, cold (new mirror)", coldCheckouts, "-"));
      table.add(buildRow("  checkout alone, warm, new commit", newCommitCheckouts, "-"));
      table.add(buildRow("  checkout alone, warm, commit in the mirror", fetchedCheckouts, "-"));
      table.add(
          buildRow(
              "  `buildah rmi` of one image (the backend's clean-up after its result)",
              measuredRmi,
              "-"));
      table.add("");
      table.add(
          "Overhead = backend median / shell median - 1. Every backend run includes its checkout"
              + " (the shell run has its files on disk already); its `buildah rmi` runs after"
              + " its result and is awaited outside the timing.");
      return new Outcome(json, table);
    }
  }

  private static String overheadVerdict(double overhead) {
    return String.format(
        Locale.ROOT,
        "overhead %+.1f%% < 15%%: %s",
        overhead * 100,
        verdict(overhead < OVERHEAD_TARGET));
  }

  private static long timeCheckout(JGitCheckout checkout, String commit, Path target)
      throws Exception {
    long start = System.nanoTime();
    checkout.checkout(SITE, commit, target);
    return System.nanoTime() - start;
  }

  private static String commit(TestRepository repo, String side, int run) {
    return repo.commit(
        "main",
        Map.of("Dockerfile", DOCKERFILE, "hello.txt", "bench " + side + " run " + run + "\n"),
        side + " run " + run);
  }

  private static long timeBackend(
      LocalBuildahBuilder builder, String commit, ImageRef image, OciRegistryClient verifier)
      throws RegistryException, InterruptedException {
    List<String> log = new CopyOnWriteArrayList<>();
    BuildRequest request = new BuildRequest(SITE, commit, "Dockerfile", ".", Map.of(), image);
    long start = System.nanoTime();
    BuildResult result = builder.build(request, log::add);
    long took = System.nanoTime() - start;
    if (!(result instanceof Succeeded succeeded)) {
      throw new IllegalStateException(
          "the local backend failed to build " + image + ": " + result + "\n" + log);
    }
    // The backend removes the pushed image after its result; that clean-up is not left to
    // overlap the next timed run (of either side).
    if (!builder.awaitCleanUp(Duration.ofMinutes(1))) {
      throw new IllegalStateException("the local backend's clean-up of " + image + " hangs");
    }
    expect(verifier.digestOf(image), Optional.of(succeeded.digest()), image);
    return took;
  }

  /**
   * {@code buildah bud && buildah push} as a shell script would run them, with the flags, storage
   * and environment of {@code BuildahCommands} (package-private in {@code build}, so spelled out).
   */
  private static long timeShell(
      Path workDir, Path dir, ImageRef image, Path scratch, OciRegistryClient verifier)
      throws IOException, InterruptedException, RegistryException {
    Path digestFile = scratch.resolve("shell-digest");
    Files.deleteIfExists(digestFile);
    String buildah = buildahPrefix(workDir);
    String script =
        buildah
            + " bud --isolation chroot --layers=false -f "
            + quote(dir.resolve("Dockerfile"))
            + " -t "
            + quote(image.reference())
            + " "
            + quote(dir)
            + " && "
            + buildah
            + " push --tls-verify=false --digestfile "
            + quote(digestFile)
            + " "
            + quote(image.reference())
            + " "
            + quote("docker://" + image.reference());
    long start = System.nanoTime();
    runShell(workDir, script, scratch);
    long took = System.nanoTime() - start;
    String digest = Files.readString(digestFile, StandardCharsets.UTF_8).strip();
    expect(verifier.digestOf(image), Optional.of(digest), image);
    return took;
  }

  /** Removes the shell side's image, as the backend does after its push; returns how long. */
  private static long timeRmi(Path workDir, ImageRef image, Path scratch)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    runShell(workDir, buildahPrefix(workDir) + " rmi --force " + quote(image.reference()), scratch);
    return System.nanoTime() - start;
  }

  private static String buildahPrefix(Path workDir) {
    return "buildah --root "
        + quote(workDir.resolve("root"))
        + " --runroot "
        + quote(workDir.resolve("runroot"))
        + " --storage-driver vfs";
  }

  /**
   * Runs {@code script} with {@code sh -c} in the backend's work dir and environment, which the
   * backend's first (warm-up) run prepared; output goes to a file, shown if the script fails.
   */
  private static void runShell(Path workDir, String script, Path scratch)
      throws IOException, InterruptedException {
    Path conf = workDir.resolve("containers.conf");
    if (!Files.exists(conf)) {
      throw new IllegalStateException(conf + " is missing: the local backend has not run yet");
    }
    Path output = scratch.resolve("shell.log");
    ProcessBuilder builder =
        new ProcessBuilder("sh", "-c", script)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    builder.environment().put("CONTAINERS_CONF", conf.toString());
    builder.environment().put("TMPDIR", workDir.resolve("tmp").toString());
    Process process = builder.start();
    process.getOutputStream().close();
    if (!process.waitFor(SHELL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      List<ProcessHandle> tree =
          Stream.concat(process.descendants(), Stream.of(process.toHandle())).toList();
      tree.forEach(ProcessHandle::destroyForcibly);
      process.waitFor(10, TimeUnit.SECONDS);
      throw new IllegalStateException(
          "timed out after " + SHELL_TIMEOUT + ": " + script + "\n" + Files.readString(output));
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "exit " + process.exitValue() + ": " + script + "\n" + Files.readString(output));
    }
  }

  private static String quote(Object word) {
    return "'" + word.toString().replace("'", "'\\''") + "'";
  }

  // ---------------------------------------------------------------- environment: 10 images exist

  /**
   * A 10-component environment whose images all exist, through {@link EnvironmentImages#ensure} (10
   * HEAD requests in parallel, no objects created): with a new registry client each time (the first
   * environment after a start: new connections, empty cache), with one client whose cache is off
   * (every call a HEAD over a kept-alive connection), and with the default cache.
   */
  private static Outcome environment(LocalRegistry registry, Clusters clusters) throws Exception {
    LocalPlatform platform = clusters.platform();
    String namespace = "bench-env-" + UUID.randomUUID().toString().substring(0, 8);
    try (KubernetesClient admin = clusters.admin()) {
      // The part checks that no ImageBuild was created, so the kind must exist on a new platform.
      ClusterManifests.installCrds(admin, platform.projectDir());
      admin.resource(namespace(namespace)).create();
      try (KubernetesClient client = clusters.inNamespace(namespace)) {
        List<ImageBuildSpec> specs = new ArrayList<>();
        for (int i = 0; i < ENVIRONMENT_COMPONENTS; i++) {
          String image = registry.address() + "/bench/env/component-" + i + ":" + ENV_SHA + "-env";
          registry.pushScratchImage(image, "component " + i + "\n");
          specs.add(new ImageBuildSpec("bench/env-" + i, ENV_SHA, null, null, null, image));
        }
        ConfigMap owner =
            client
                .resource(
                    new ConfigMapBuilder().withNewMetadata().withName("env").endMetadata().build())
                .create();
        ImageBuildRequests requests = new ImageBuildRequests(client);
        TestBuildConfig config = TestBuildConfig.defaults();

        long[] fresh = new long[ENVIRONMENT_RUNS];
        for (int i = -BUILD_WARM_UP_RUNS * 3; i < ENVIRONMENT_RUNS; i++) {
          OciRegistryClient newClient = new OciRegistryClient(config, Clock.systemUTC());
          try (EnvironmentImages images = new EnvironmentImages(newClient, requests)) {
            long took = timeEnsure(images, owner, specs);
            if (i >= 0) {
              fresh[i] = took;
            }
          }
        }
        long[] uncached = new long[ENVIRONMENT_RUNS];
        long[] cached = new long[ENVIRONMENT_RUNS];
        try (EnvironmentImages noCache =
                new EnvironmentImages(
                    new OciRegistryClient(config.withCacheTtl(Duration.ZERO), Clock.systemUTC()),
                    requests);
            EnvironmentImages withCache =
                new EnvironmentImages(new OciRegistryClient(config, Clock.systemUTC()), requests)) {
          for (int i = -3; i < ENVIRONMENT_RUNS; i++) {
            long a = timeEnsure(noCache, owner, specs);
            long b = timeEnsure(withCache, owner, specs);
            if (i >= 0) {
              uncached[i] = a;
              cached[i] = b;
            }
          }
        }
        if (!client.resources(ImageBuild.class).list().getItems().isEmpty()) {
          throw new IllegalStateException("an environment whose images exist created ImageBuilds");
        }

        boolean ok = percentile(fresh, 99) < ENVIRONMENT_TARGET.toNanos();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("components", ENVIRONMENT_COMPONENTS);
        json.put("runs", ENVIRONMENT_RUNS);
        json.put("newClientMs", stats(fresh));
        json.put("uncachedMs", stats(uncached));
        json.put("cachedMs", stats(cached));
        json.put("targetMs", ENVIRONMENT_TARGET.toMillis());
        json.put("targetMet", ok);
        List<String> table = new ArrayList<>();
        table.add(
            "Build step of a "
                + ENVIRONMENT_COMPONENTS
                + "-component environment whose images all exist (EnvironmentImages.ensure), "
                + ENVIRONMENT_RUNS
                + " runs each");
        table.add("");
        table.add("| case | median | p95 | p99 | min | max | target |");
        table.add("|---|---:|---:|---:|---:|---:|---|");
        table.add(
            latencyRow(
                "new registry client (first environment after a start)",
                fresh,
                "< 200 ms: " + verdict(ok)));
        table.add(latencyRow("one client, cache off (every image a HEAD)", uncached, "reference"));
        table.add(latencyRow("one client, default cache", cached, "reference"));
        return new Outcome(json, table);
      } finally {
        admin.namespaces().withName(namespace).delete();
      }
    }
  }

  private static long timeEnsure(
      EnvironmentImages images, ConfigMap owner, List<ImageBuildSpec> specs) {
    long start = System.nanoTime();
    List<EnvironmentImages.ImageState> states = images.ensure(owner, specs);
    long took = System.nanoTime() - start;
    if (!states.stream().allMatch(EnvironmentImages.ImageState.Available.class::isInstance)) {
      throw new IllegalStateException("images expected in the registry were not found: " + states);
    }
    return took;
  }

  // ---------------------------------------------------------------- dedup: 50 requests, 1 build

  /**
   * 50 environments ask for the same missing image at the same moment, through {@link
   * ImageBuildRequests} against the real API server, with the ImageBuild controller running and the
   * local backend building: how many builds run, how many ImageBuilds exist, how many owners the
   * build has, and how long until it succeeded.
   */
  private static Outcome dedup(LocalRegistry registry, Path scratch, Clusters clusters)
      throws Exception {
    LocalPlatform platform = clusters.platform();
    String namespace = "bench-dedup-" + UUID.randomUUID().toString().substring(0, 8);
    try (KubernetesClient admin = clusters.admin();
        GitHttpServer git = GitHttpServer.start(Files.createDirectories(scratch.resolve("dg")))) {
      ClusterManifests.installCrds(admin, platform.projectDir());
      admin.resource(namespace(namespace)).create();
      String commit =
          git.createRepository(SITE)
              .commit(
                  "main",
                  Map.of("Dockerfile", DOCKERFILE, "hello.txt", "dedup\n"),
                  "one image for fifty environments");
      TestBuildConfig config =
          TestBuildConfig.defaults()
              .withLocalWorkDir(Files.createDirectories(scratch.resolve("dw")));
      LocalBuildahBuilder buildah =
          new LocalBuildahBuilder(
              new JGitCheckout(
                  TestGitConfig.defaults()
                      .withGithubBaseUrl(git.baseUrl())
                      .withMirrorDir(scratch.resolve("dm"))),
              config,
              Clock.systemUTC());
      AtomicInteger builds = new AtomicInteger();
      ImageBuilder counting =
          (request, log) -> {
            builds.incrementAndGet();
            return buildah.build(request, log);
          };
      try (KubernetesClient client = clusters.inNamespace(namespace);
          ControllerHarness controller =
              new ControllerHarness(
                  client,
                  new OciRegistryClient(config, Clock.systemUTC()),
                  counting,
                  config,
                  ControllerHarness.quickSettings())) {
        List<ConfigMap> owners = new ArrayList<>();
        for (int i = 0; i < DEDUP_REQUESTS; i++) {
          owners.add(
              client
                  .resource(
                      new ConfigMapBuilder()
                          .withNewMetadata()
                          .withName("env-" + i)
                          .endMetadata()
                          .build())
                  .create());
        }
        ImageBuildSpec spec =
            new ImageBuildSpec(
                SITE,
                commit,
                null,
                null,
                null,
                registry.address() + "/bench/dedup:" + commit + "-dedup");
        ImageBuildRequests requests = new ImageBuildRequests(client);
        Set<String> names = new HashSet<>();
        long start;
        long requested;
        // Non-daemon threads: stopped whatever happens, or exec:java would wait for them.
        ExecutorService threads = Executors.newFixedThreadPool(DEDUP_REQUESTS);
        try {
          CountDownLatch go = new CountDownLatch(1);
          List<Future<String>> answers = new ArrayList<>();
          for (ConfigMap owner : owners) {
            answers.add(
                threads.submit(
                    () -> {
                      go.await();
                      return requests.request(owner, spec).getMetadata().getName();
                    }));
          }
          start = System.nanoTime();
          go.countDown();
          for (Future<String> answer : answers) {
            names.add(answer.get(2, TimeUnit.MINUTES));
          }
          requested = System.nanoTime() - start;
        } finally {
          threads.shutdownNow();
        }
        String name = names.iterator().next();
        ImageBuild done = null;
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
          ImageBuild build = client.resources(ImageBuild.class).withName(name).get();
          if (build.getStatus() != null && BuildStatuses.isFinal(build.getStatus())) {
            done = build;
            break;
          }
          Thread.sleep(20);
        }
        long finished = System.nanoTime() - start;
        if (done == null || done.getStatus().phase() != ImageBuildPhase.Succeeded) {
          throw new IllegalStateException(
              "the shared build did not succeed: "
                  + (done == null ? "timed out" : done.getStatus()));
        }
        int imageBuilds = client.resources(ImageBuild.class).list().getItems().size();
        int ownerCount = done.getMetadata().getOwnerReferences().size();
        boolean ok = builds.get() == 1 && imageBuilds == 1 && ownerCount == DEDUP_REQUESTS;

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("requests", DEDUP_REQUESTS);
        json.put("distinctNames", names.size());
        json.put("imageBuilds", imageBuilds);
        json.put("owners", ownerCount);
        json.put("builds", builds.get());
        json.put("allRequestsReturnedMs", millis(requested));
        json.put("succeededAfterMs", millis(finished));
        json.put("targetMet", ok);
        List<String> table = new ArrayList<>();
        table.add(
            DEDUP_REQUESTS
                + " concurrent requests for one missing image (ImageBuildRequests + controller +"
                + " local backend)");
        table.add("");
        table.add(
            "| requests | ImageBuilds | owners | builds run | all requests returned |"
                + " succeeded after | target |");
        table.add("|---:|---:|---:|---:|---:|---:|---|");
        table.add(
            String.format(
                Locale.ROOT,
                "| %d | %d | %d | %d | %.0f ms | %.0f ms | 1 build: %s |",
                DEDUP_REQUESTS,
                imageBuilds,
                ownerCount,
                builds.get(),
                millis(requested),
                millis(finished),
                verdict(ok)));
        return new Outcome(json, table);
      } finally {
        admin.namespaces().withName(namespace).delete();
      }
    }
  }

  private static Namespace namespace(String name) {
    return new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build();
  }

  /**
   * The Kubernetes clients of the bench, all on one Vert.x instance that {@link #close()} stops.
   * With fabric8's default factory each client gets a Vert.x instance of its own whose non-daemon
   * threads outlive {@link KubernetesClient#close()}, and exec:java waits for those forever after
   * {@link #main} has returned.
   */
  private static final class Clusters implements AutoCloseable {

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private Vertx vertx;

    /** The platform, resolved (and started if need be) on first use. */
    LocalPlatform platform() {
      return LocalPlatform.get();
    }

    /** A new admin client; the caller closes it. */
    KubernetesClient admin() {
      return client(platform().clientConfig());
    }

    /** A new admin client whose namespace is {@code namespace}; the caller closes it. */
    KubernetesClient inNamespace(String namespace) {
      Config config = platform().clientConfig();
      config.setNamespace(namespace);
      return client(config);
    }

    private synchronized KubernetesClient client(Config config) {
      if (vertx == null) {
        // The options fabric8's own factory uses.
        vertx =
            Vertx.vertx(
                new VertxOptions()
                    .setFileSystemOptions(
                        new FileSystemOptions()
                            .setFileCachingEnabled(false)
                            .setClassPathResolvingEnabled(false)));
      }
      return new KubernetesClientBuilder()
          .withConfig(config)
          .withHttpClientFactory(new VertxHttpClientFactory(vertx))
          .build();
    }

    @Override
    public synchronized void close() throws Exception {
      if (vertx != null) {
        vertx
            .close()
            .toCompletionStage()
            .toCompletableFuture()
            .get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }

  // ---------------------------------------------------------------- statistics and output

  private static Map<String, Object> stats(long[] nanos) {
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("median", millis(median(nanos)));
    stats.put("p95", millis(percentile(nanos, 95)));
    stats.put("p99", millis(percentile(nanos, 99)));
    stats.put("min", millis(Arrays.stream(nanos).min().orElseThrow()));
    stats.put("max", millis(Arrays.stream(nanos).max().orElseThrow()));
    stats.put("samples", Arrays.stream(nanos).mapToObj(BuilderBench::millis).toList());
    return stats;
  }

  /** Milliseconds to 0.1 µs: a cached skip check takes well under one microsecond. */
  private static double millis(long nanos) {
    return Math.round(nanos / 100.0) / 10_000.0;
  }

  private static double ratio(double value) {
    return Math.round(value * 10_000) / 10_000.0;
  }

  private static String latencyRow(String name, long[] nanos, String target) {
    return String.format(
        Locale.ROOT,
        "| %s | %.4f ms | %.4f ms | %.4f ms | %.4f ms | %.4f ms | %s |",
        name,
        millis(median(nanos)),
        millis(percentile(nanos, 95)),
        millis(percentile(nanos, 99)),
        millis(Arrays.stream(nanos).min().orElseThrow()),
        millis(Arrays.stream(nanos).max().orElseThrow()),
        target);
  }

  private static String buildRow(String name, long[] nanos, String target) {
    return String.format(
        Locale.ROOT,
        "| %s | %.0f ms | %.0f ms | %.0f ms | %s |",
        name,
        millis(median(nanos)),
        millis(Arrays.stream(nanos).min().orElseThrow()),
        millis(Arrays.stream(nanos).max().orElseThrow()),
        target);
  }

  private static String verdict(boolean ok) {
    return ok ? "met" : "MISSED";
  }

  private static void deleteIfEmpty(Path dir) {
    try {
      Files.deleteIfExists(dir);
    } catch (IOException notEmpty) {
      // Someone else's files are there: leave the directory.
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not remove " + dir, e);
    }
  }
}

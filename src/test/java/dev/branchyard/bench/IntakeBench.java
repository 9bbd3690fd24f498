package dev.branchyard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.branchyard.github.IntakeRecorder;
import dev.branchyard.github.WebhookSignature;
import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentSpec;
import dev.branchyard.lifecycle.Trigger;
import dev.branchyard.lifecycle.TriggerSource;
import dev.branchyard.platform.ClusterManifests;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * The webhook intake under load, against a running Branchyard (started by {@code
 * scripts/bench-intake.sh}) and the Kubernetes API server it records into:
 *
 * <ul>
 *   <li>(a) signed {@code pull_request.synchronize} deliveries at a fixed arrival rate (an open
 *       model: each request is sent at its scheduled time whether or not earlier ones were
 *       answered, and its latency counts from that time, so a stall shows as latency instead of as
 *       fewer requests): acknowledgement latency p50/p90/p99/max, errors, and lost deliveries (a PR
 *       whose Environment is not at its newest head afterwards, or a delivery not answered 2xx). 50
 *       PRs; a warm-up of the same pushes at the same rate comes first, unmeasured, and leaves
 *       their environments in place, as a PR's is from its opening when its pushes come. It lasts
 *       until both JVMs' JIT compilers have settled ({@link WarmUp}), so what is measured is the
 *       intake, not how far C2 got. Then {@code --runs} measured runs follow each other; each run's
 *       figures are reported, and the target is judged on the percentiles of all their deliveries
 *       together (one 30 s run's p99 varied by about 4 ms from run to run);
 *   <li>(b) a storm: 500 deliveries for 20 PRs (20 distinct pushes each, 100 of them sent twice
 *       with the same delivery id), shuffled, sent 20 at a time: exactly 20 Environments must
 *       remain, each at its PR's newest head; time until they are.
 * </ul>
 *
 * Not a test. Arguments: {@code --url U --secret S --kubeconfig F --namespace N [--rate 200]
 * [--seconds 30] [--runs 3] [--warm-up-seconds 20] [--max-warm-up-seconds 120] [--app-pid P]
 * [--only a,b,api] [--event pull_request] [--output target/bench/intake.json]}. Diagnostics, not
 * targets: {@code --only api} writes the same Environment changes straight to the API server (no
 * Branchyard); {@code --event ping} sends the same signed bodies as {@code ping} deliveries, which
 * Branchyard answers without a journal or a write, giving the floor of the HTTP path on this
 * machine.
 */
public final class IntakeBench {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant BASE_TIME = Instant.parse("2026-12-01T00:00:00Z");

  private final String url;
  private final String secret;
  private final KubernetesClient kube;
  private final String namespace;
  private final HttpClient http;

  /**
   * The load generator's HTTP client: Vert.x's event loop, one core's worth at most, so that the
   * generator takes as little of the machine's CPU from Branchyard and the API server as it can
   * (the JDK client took about as much CPU per request as Branchyard itself).
   */
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));

  private final io.vertx.core.http.HttpClient sender =
      vertx.createHttpClient(
          new HttpClientOptions().setKeepAlive(true).setConnectTimeout(5000),
          new PoolOptions().setHttp1MaxSize(1024));
  private final ObjectNode template;
  private final String event;

  private IntakeBench(
      String url, String secret, KubernetesClient kube, String namespace, String event)
      throws Exception {
    this.event = event;
    this.url = url;
    this.secret = secret;
    this.kube = kube;
    this.namespace = namespace;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(8))
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    this.template =
        (ObjectNode) JSON.readTree(Path.of("webhooks/pull_request.synchronize.json").toFile());
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = options(args);
    Path output = Path.of(options.getOrDefault("output", "target/bench/intake.json"));
    Set<String> only = Set.of(options.getOrDefault("only", "a,b").split(","));
    Config config =
        Config.fromKubeconfig(Files.readString(Path.of(required(options, "kubeconfig"))));
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("startedAt", Instant.now().toString());
    results.put("cpus", Runtime.getRuntime().availableProcessors());
    results.put("loadavg_before", loadAverage());
    int exit = 0;
    try (KubernetesClient kube = new KubernetesClientBuilder().withConfig(config).build()) {
      if (options.containsKey("prepare")) {
        prepare(kube, required(options, "namespace"));
        // exec:java waits for the client's non-daemon threads; done is done.
        System.exit(0);
      }
      IntakeBench bench =
          new IntakeBench(
              required(options, "url"),
              required(options, "secret"),
              kube,
              required(options, "namespace"),
              options.getOrDefault("event", "pull_request"));
      if (only.contains("a")) {
        Map<String, Object> a =
            bench.steadyRate(
                Integer.parseInt(options.getOrDefault("rate", "200")),
                Integer.parseInt(options.getOrDefault("seconds", "30")),
                runs(options),
                new WarmUp(
                    Integer.parseInt(options.getOrDefault("warm-up-seconds", "20")),
                    Integer.parseInt(options.getOrDefault("max-warm-up-seconds", "120")),
                    Optional.ofNullable(options.get("app-pid")).map(Long::parseLong)));
        results.put("a_rate", a);
        exit |= Boolean.TRUE.equals(a.get("pass")) ? 0 : 1;
      }
      if (only.contains("api")) {
        // Not a target: what the API server alone takes for the same writes, for comparison.
        results.put(
            "api_direct",
            bench.directWrites(
                Integer.parseInt(options.getOrDefault("rate", "200")),
                Integer.parseInt(options.getOrDefault("seconds", "30"))));
      }
      if (only.contains("b")) {
        Map<String, Object> b = bench.storm();
        results.put("b_storm", b);
        exit |= Boolean.TRUE.equals(b.get("pass")) ? 0 : 1;
      }
      bench.clear();
    }
    results.put("loadavg_after", loadAverage());
    Files.createDirectories(output.toAbsolutePath().getParent());
    Files.writeString(
        output, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results) + "\n");
    printTable(results);
    System.out.println("written: " + output);
    System.exit(exit);
  }

  /** Branchyard's CRDs (as k8s/ installs them) and the bench's namespace. */
  private static void prepare(KubernetesClient kube, String namespace) {
    ClusterManifests.installCrds(kube, Path.of("").toAbsolutePath());
    if (kube.namespaces().withName(namespace).get() == null) {
      kube.namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
          .create();
    }
  }

  /** The 1, 5 and 15 minute load averages, as uptime prints them. */
  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  // ---- (a) fixed arrival rate -----------------------------------------------------------------

  private Map<String, Object> steadyRate(int rate, int seconds, int runs, WarmUp warmUpPolicy)
      throws Exception {
    clear();
    int prs = 50;
    // Warm-up (JIT of both JVMs, connection pools), not measured: slices of WarmUp.SLICE_SECONDS at
    // the rate, on the same 50 PRs, so their environments exist when the measured pushes come, as
    // they do for synchronize events (a PR's environment is created when it is opened). Measured
    // on fresh PRs instead, the first second also creates 50 environments at once.
    int sliceCount = rate * WarmUp.SLICE_SECONDS;
    int slices = warmUpPolicy.maxSlices();
    List<List<Planned>> warmUp = new ArrayList<>(slices);
    for (int i = 0; i < slices; i++) {
      warmUp.add(plan(sliceCount, prs, 1000, 1 + i, (long) i * (sliceCount / prs + 1)));
    }
    int total = rate * seconds;
    // Pushed after any warm-up's, each run's after the one before: each PR's updated_at moves on
    // from where the last left it. All planned first, so the measured deliveries follow the
    // warm-up's, and each other, without a pause.
    long firstSecond = (long) slices * (sliceCount / prs + 1);
    List<List<Planned>> measured = new ArrayList<>(runs);
    for (int i = 0; i < runs; i++) {
      measured.add(plan(total, prs, 1000, -1 - i, firstSecond + (long) i * (total / prs + 1)));
    }
    // The planning's garbage collected now, not during the run.
    System.gc();
    WarmUp.Outcome warmedUp = warmUpPolicy.run(slice -> run(warmUp.get(slice), rate));
    List<Run> done = new ArrayList<>(runs);
    for (List<Planned> planned : measured) {
      done.add(run(planned, rate));
    }
    Run all = Run.concat(done);
    Map<Integer, String> newest = newestByPr(measured.stream().flatMap(List::stream).toList());
    Map<Integer, String> actual = await(newest, Duration.ofSeconds(30));
    long wrong =
        newest.entrySet().stream()
            .filter(e -> !e.getValue().equals(actual.get(e.getKey())))
            .count();
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("rate_per_s", rate);
    a.put("seconds", seconds);
    a.put("runs", runs);
    a.put("warm_up_seconds", warmedUp.seconds());
    a.put("warm_up_settled", warmedUp.settled());
    a.put("warm_up_jit_ms_per_slice", warmedUp.jitMillisPerSlice());
    a.put("deliveries", total * runs);
    a.put("pull_requests", prs);
    a.put("achieved_rate_per_s", round(total * runs / (all.sendSpanNanos / 1e9)));
    // Over every run's deliveries together: the p99 of runs * seconds at the rate, steadier than
    // one run's (about +-4 ms from run to run on the 2-core test machine).
    a.putAll(all.latencies());
    a.put(
        "each_run",
        done.stream()
            .map(
                r -> {
                  Map<String, Object> one = new LinkedHashMap<>(r.latencies());
                  one.remove("over_25ms_per_second");
                  one.put("errors", r.errors());
                  return one;
                })
            .toList());
    a.put("statuses", all.statuses());
    a.put("outcomes", all.outcomes());
    a.put("errors", all.errors());
    a.put("prs_not_at_newest_head", wrong);
    a.put("lost", all.errors() + wrong);
    a.put("target_p99_ms", 25);
    a.put("pass", all.errors() == 0 && wrong == 0 && (double) a.get("p99_ms") < 25.0);
    return a;
  }

  // ---- the API server alone -------------------------------------------------------------------

  /**
   * The same arrival rate of Environment writes straight to the API server (a GET-free update of
   * the last written object, as the intake does at best), from this process: the floor under the
   * intake's latency on this machine.
   */
  private Map<String, Object> directWrites(int rate, int seconds) throws Exception {
    clear();
    int prs = 50;
    Map<Integer, Environment> last = new ConcurrentHashMap<>();
    var pool = Executors.newFixedThreadPool(64);
    for (int pr = 0; pr < prs; pr++) {
      Environment created =
          new Environment(
              "direct-" + pr,
              new EnvironmentSpec(
                  "shop",
                  new Trigger(
                      TriggerSource.PullRequest,
                      "acme/shop-web",
                      pr,
                      "feature",
                      "main",
                      "0".repeat(40),
                      "bench",
                      false),
                  null));
      created.getMetadata().setAnnotations(Map.of("bench", "0"));
      last.put(
          pr, kube.resources(Environment.class).inNamespace(namespace).resource(created).create());
    }
    int total = rate * seconds;
    long[] latencies = new long[total];
    AtomicInteger errors = new AtomicInteger();
    long interval = TimeUnit.SECONDS.toNanos(1) / rate;
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    List<CompletableFuture<?>> pending = new ArrayList<>(total);
    Map<Integer, Object> locks = new ConcurrentHashMap<>();
    for (int i = 0; i < total; i++) {
      long due = start + i * interval;
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      int index = i;
      int pr = i % prs;
      pending.add(
          CompletableFuture.runAsync(
              () -> {
                synchronized (locks.computeIfAbsent(pr, k -> new Object())) {
                  try {
                    Environment next = last.get(pr);
                    next.getMetadata().setAnnotations(Map.of("bench", Integer.toString(index)));
                    last.put(
                        pr,
                        kube.resources(Environment.class)
                            .inNamespace(namespace)
                            .resource(next)
                            .update());
                  } catch (RuntimeException e) {
                    errors.incrementAndGet();
                  }
                  latencies[index] = System.nanoTime() - due;
                }
              },
              pool));
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
    pool.shutdown();
    long[] sorted = latencies.clone();
    Arrays.sort(sorted);
    Map<String, Object> api = new LinkedHashMap<>();
    api.put("rate_per_s", rate);
    api.put("writes", total);
    api.put("p50_ms", percentile(sorted, 0.50));
    api.put("p90_ms", percentile(sorted, 0.90));
    api.put("p99_ms", percentile(sorted, 0.99));
    api.put("max_ms", round(sorted[sorted.length - 1] / 1e6));
    api.put("errors", errors.get());
    System.out.println("API server alone: " + api);
    clear();
    return api;
  }

  // ---- (b) storm --------------------------------------------------------------------------------

  private Map<String, Object> storm() throws Exception {
    clear();
    int prs = 20;
    List<Planned> unique = plan(400, prs, 2000, 0, 0);
    List<Planned> all = new ArrayList<>(unique);
    Random random = new Random(42);
    for (int i = 0; i < 100; i++) {
      all.add(unique.get(random.nextInt(unique.size()))); // same delivery id: a redelivery
    }
    Collections.shuffle(all, random);
    long outOfOrder = countOutOfOrder(all);
    Map<Integer, String> newest = newestByPr(unique);

    long start = System.nanoTime();
    Run run = burst(all, 20);
    long acked = System.nanoTime();
    Map<Integer, String> actual = await(newest, Duration.ofSeconds(60));
    long settled = System.nanoTime();
    long wrong =
        newest.entrySet().stream()
            .filter(e -> !e.getValue().equals(actual.get(e.getKey())))
            .count();
    int environments =
        kube.resources(Environment.class).inNamespace(namespace).list().getItems().size();
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("deliveries", all.size());
    b.put("unique_deliveries", unique.size());
    b.put("duplicates", all.size() - unique.size());
    b.put("pull_requests", prs);
    b.put("out_of_order_pairs", outOfOrder);
    b.put("concurrency", 20);
    b.put("all_acked_ms", round((acked - start) / 1e6));
    b.put("settled_ms", round((settled - start) / 1e6));
    b.putAll(run.latencies());
    b.put("statuses", run.statuses());
    b.put("outcomes", run.outcomes());
    b.put("errors", run.errors());
    b.put("environments", environments);
    b.put("prs_not_at_newest_head", wrong);
    b.put("pass", run.errors() == 0 && wrong == 0 && environments == prs);
    return b;
  }

  // ---- sending ----------------------------------------------------------------------------------

  /** One delivery: which PR, which head, when GitHub would say it was updated, its request. */
  private record Planned(
      int pr, String sha, Instant updatedAt, String deliveryId, String signature, byte[] body) {}

  /**
   * {@code count} synchronize deliveries round-robin over {@code prs} PRs numbered from {@code
   * firstPr}; each PR's deliveries in order of updated_at, one second apart.
   */
  private List<Planned> plan(int count, int prs, int firstPr, int seed, long firstSecond)
      throws Exception {
    List<Planned> planned = new ArrayList<>(count);
    Random random = new Random(seed + firstPr);
    for (int i = 0; i < count; i++) {
      int pr = firstPr + i % prs;
      String sha = sha(random);
      Instant updatedAt = BASE_TIME.plusSeconds(firstSecond + i / prs);
      ObjectNode payload = template.deepCopy();
      payload.put("number", pr);
      payload.put("after", sha);
      ObjectNode pullRequest = (ObjectNode) payload.get("pull_request");
      pullRequest.put("number", pr);
      pullRequest.put("updated_at", updatedAt.toString());
      ((ObjectNode) pullRequest.get("head")).put("sha", sha);
      byte[] body = JSON.writeValueAsBytes(payload);
      planned.add(
          new Planned(
              pr,
              sha,
              updatedAt,
              UUID.randomUUID().toString(),
              WebhookSignature.sign(secret, body),
              body));
    }
    return planned;
  }

  /** Sends each delivery at its scheduled time (open model); waits for every answer. */
  private Run run(List<Planned> planned, int rate) throws Exception {
    Run run = new Run(planned.size());
    long interval = TimeUnit.SECONDS.toNanos(1) / rate;
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    List<CompletableFuture<?>> pending = new ArrayList<>(planned.size());
    for (int i = 0; i < planned.size(); i++) {
      long due = start + i * interval;
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      pending.add(send(planned.get(i), due, run));
    }
    run.sendSpanNanos = System.nanoTime() - start;
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
    return run;
  }

  /** Sends every delivery as fast as {@code concurrency} requests in flight allow. */
  private Run burst(List<Planned> planned, int concurrency) throws Exception {
    Run run = new Run(planned.size());
    Semaphore slots = new Semaphore(concurrency);
    List<CompletableFuture<?>> pending = new ArrayList<>(planned.size());
    long start = System.nanoTime();
    for (Planned p : planned) {
      slots.acquire();
      pending.add(send(p, System.nanoTime(), run).whenComplete((r, e) -> slots.release()));
    }
    run.sendSpanNanos = System.nanoTime() - start;
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
    return run;
  }

  private CompletableFuture<?> send(Planned planned, long due, Run run) {
    RequestOptions request =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(url + "/webhooks/github")
            .setTimeout(TimeUnit.SECONDS.toMillis(10))
            .putHeader("Content-Type", "application/json")
            .putHeader("X-GitHub-Event", event)
            .putHeader("X-GitHub-Delivery", planned.deliveryId())
            .putHeader("X-Hub-Signature-256", planned.signature());
    CompletableFuture<Void> done = new CompletableFuture<>();
    sender
        .request(request)
        .compose(
            sent ->
                sent.send(Buffer.buffer(planned.body()))
                    .compose(
                        response ->
                            response
                                .body()
                                .map(body -> Map.entry(response.statusCode(), body.toString()))))
        .onComplete(
            answer -> {
              long latency = System.nanoTime() - due;
              if (answer.succeeded()) {
                run.record(
                    due, latency, answer.result().getKey(), answer.result().getValue(), null);
              } else {
                run.record(due, latency, 0, null, answer.cause());
              }
              done.complete(null);
            });
    return done;
  }

  /**
   * What the sends saw. Answers are only stored while the load runs and read afterwards ({@link
   * #tally()}): parsing each one in the callback made the load generator's own garbage, and its GC
   * pauses, part of the measured latency.
   */
  private static final class Run {
    final long[] latencies;
    final long[] dues;
    final int[] statusCodes;
    final String[] bodies;
    final Throwable[] failures;
    final AtomicInteger next = new AtomicInteger();
    final Map<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    final AtomicInteger errors = new AtomicInteger();
    long sendSpanNanos;
    private boolean tallied;

    Run(int size) {
      latencies = new long[size];
      dues = new long[size];
      statusCodes = new int[size];
      bodies = new String[size];
      failures = new Throwable[size];
    }

    /** Several runs' answers as one, for percentiles over all of them. */
    static Run concat(List<Run> runs) {
      Run all = new Run(runs.stream().mapToInt(r -> r.next.get()).sum());
      for (Run r : runs) {
        for (int i = 0; i < r.next.get(); i++) {
          all.record(r.dues[i], r.latencies[i], r.statusCodes[i], r.bodies[i], r.failures[i]);
        }
        all.sendSpanNanos += r.sendSpanNanos;
      }
      return all;
    }

    void record(long due, long latency, int status, String body, Throwable failure) {
      int i = next.getAndIncrement();
      dues[i] = due;
      latencies[i] = latency;
      statusCodes[i] = status;
      bodies[i] = body;
      failures[i] = failure;
    }

    /** Counts statuses, errors and outcomes of the answers recorded so far (once). */
    private synchronized void tally() {
      if (tallied) {
        return;
      }
      tallied = true;
      for (int i = 0; i < next.get(); i++) {
        count(statusCodes[i], bodies[i], failures[i]);
      }
    }

    private void count(int status, String body, Throwable failure) {
      if (failure != null) {
        statuses
            .computeIfAbsent(
                "failed: " + failure.getClass().getSimpleName(), k -> new AtomicInteger())
            .incrementAndGet();
        errors.incrementAndGet();
        return;
      }
      statuses
          .computeIfAbsent(Integer.toString(status), k -> new AtomicInteger())
          .incrementAndGet();
      if (status / 100 != 2) {
        errors.incrementAndGet();
        return;
      }
      try {
        JsonNode answer = JSON.readTree(body);
        String result = answer.path("result").asText("?");
        if (result.equals("duplicate")) {
          outcomes.computeIfAbsent("duplicate", k -> new AtomicInteger()).incrementAndGet();
        }
        for (JsonNode detail : (ArrayNode) answer.withArray("details")) {
          String text = detail.asText();
          String outcome = text.substring(text.lastIndexOf(':') + 1).strip();
          outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
        }
      } catch (Exception e) {
        outcomes.computeIfAbsent("unreadable answer", k -> new AtomicInteger()).incrementAndGet();
      }
    }

    long errors() {
      tally();
      return errors.get();
    }

    Map<String, Integer> statuses() {
      tally();
      return new TreeMap<>(
          statuses.entrySet().stream()
              .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get())));
    }

    Map<String, Integer> outcomes() {
      tally();
      return new TreeMap<>(
          outcomes.entrySet().stream()
              .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get())));
    }

    Map<String, Object> latencies() {
      long[] sorted = Arrays.copyOf(latencies, next.get());
      Arrays.sort(sorted);
      Map<String, Object> l = new LinkedHashMap<>();
      l.put("p50_ms", percentile(sorted, 0.50));
      l.put("p90_ms", percentile(sorted, 0.90));
      l.put("p99_ms", percentile(sorted, 0.99));
      l.put("max_ms", sorted.length == 0 ? 0.0 : round(sorted[sorted.length - 1] / 1e6));
      l.put("over_25ms_per_second", overPerSecond(TimeUnit.MILLISECONDS.toNanos(25)));
      return l;
    }

    /**
     * For each second of the run (by when requests were due): how many answers took longer than
     * {@code limit}. Tells a few stalls (all in a second or two) from a spread-out tail.
     */
    private List<Integer> overPerSecond(long limit) {
      int count = next.get();
      if (count == 0) {
        return List.of();
      }
      long first = Arrays.stream(dues, 0, count).min().orElseThrow();
      long last = Arrays.stream(dues, 0, count).max().orElseThrow();
      int[] seconds = new int[(int) TimeUnit.NANOSECONDS.toSeconds(last - first) + 1];
      for (int i = 0; i < count; i++) {
        if (latencies[i] > limit) {
          seconds[(int) TimeUnit.NANOSECONDS.toSeconds(dues[i] - first)]++;
        }
      }
      return Arrays.stream(seconds).boxed().toList();
    }
  }

  // ---- checking ---------------------------------------------------------------------------------

  private static Map<Integer, String> newestByPr(List<Planned> planned) {
    Map<Integer, Planned> newest = new HashMap<>();
    for (Planned p : planned) {
      newest.merge(p.pr(), p, (x, y) -> x.updatedAt().isAfter(y.updatedAt()) ? x : y);
    }
    Map<Integer, String> shas = new TreeMap<>();
    newest.forEach((pr, p) -> shas.put(pr, p.sha()));
    return shas;
  }

  /** Polls the Environments until each PR's is at the expected head, or the time is up. */
  private Map<Integer, String> await(Map<Integer, String> expected, Duration atMost)
      throws InterruptedException {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (true) {
      Map<Integer, String> actual = heads();
      boolean settled =
          expected.entrySet().stream().allMatch(e -> e.getValue().equals(actual.get(e.getKey())));
      if (settled || System.nanoTime() > deadline) {
        return actual;
      }
      Thread.sleep(50);
    }
  }

  private Map<Integer, String> heads() {
    Map<Integer, String> heads = new HashMap<>();
    for (Environment e :
        kube.resources(Environment.class).inNamespace(namespace).list().getItems()) {
      if (e.getSpec() != null
          && e.getSpec().trigger() != null
          && e.getSpec().trigger().pullRequest() != null) {
        heads.put(e.getSpec().trigger().pullRequest(), e.getSpec().trigger().headSha());
      }
    }
    return heads;
  }

  private static long countOutOfOrder(List<Planned> sent) {
    Map<Integer, Instant> latest = new HashMap<>();
    long outOfOrder = 0;
    for (Planned p : sent) {
      Instant before = latest.get(p.pr());
      if (before != null && p.updatedAt().isBefore(before)) {
        outOfOrder++;
      } else {
        latest.put(p.pr(), p.updatedAt());
      }
    }
    return outOfOrder;
  }

  /**
   * Deletes every Environment once the intake has recorded all it accepted (else a change still on
   * its way would bring one back).
   */
  private void clear() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (backlog() > 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the intake's backlog was not recorded in 60s");
      }
      Thread.sleep(100);
    }
    kube.resources(Environment.class).inNamespace(namespace).delete();
    while (!kube.resources(Environment.class).inNamespace(namespace).list().getItems().isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Environments in " + namespace + " were not deleted in 60s");
      }
      Thread.sleep(100);
    }
  }

  /** The intake's {@value IntakeRecorder#BACKLOG_METRIC}; 0 when Branchyard does not answer. */
  private double backlog() throws Exception {
    HttpResponse<String> metrics;
    try {
      metrics =
          http.send(
              HttpRequest.newBuilder(URI.create(url + "/q/metrics")).GET().build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      return 0; // --only api: no Branchyard runs
    }
    return metrics
        .body()
        .lines()
        .filter(line -> line.startsWith(IntakeRecorder.BACKLOG_METRIC))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }

  // ---- output -----------------------------------------------------------------------------------

  @SuppressWarnings("unchecked")
  private static void printTable(Map<String, Object> results) {
    System.out.println();
    System.out.println(
        "| part | deliveries | p50 ms | p90 ms | p99 ms | max ms | errors | not at newest head | result |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    Map<String, Object> a = (Map<String, Object>) results.get("a_rate");
    if (a != null) {
      List<Map<String, Object>> each = (List<Map<String, Object>>) a.get("each_run");
      for (int i = 0; i < each.size(); i++) {
        Map<String, Object> r = each.get(i);
        row(
            "(a) run " + (i + 1) + " of " + each.size(),
            a.get("rate_per_s") + "/s x " + a.get("seconds") + " s",
            r,
            r.get("errors"),
            "",
            "");
      }
      row(
          "(a) all " + each.size() + " runs, after " + a.get("warm_up_seconds") + " s warm-up",
          a.get("deliveries"),
          a,
          a.get("errors"),
          a.get("prs_not_at_newest_head"),
          Boolean.TRUE.equals(a.get("pass")) ? "pass" : "FAIL");
    }
    Map<String, Object> b = (Map<String, Object>) results.get("b_storm");
    if (b != null) {
      row(
          "(b) storm, settled in " + b.get("settled_ms") + " ms",
          b.get("deliveries"),
          b,
          b.get("errors"),
          b.get("prs_not_at_newest_head"),
          Boolean.TRUE.equals(b.get("pass")) ? "pass" : "FAIL");
    }
    System.out.println();
  }

  private static void row(
      String part,
      Object deliveries,
      Map<String, Object> latencies,
      Object errors,
      Object wrong,
      String result) {
    System.out.printf(
        Locale.ROOT,
        "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
        part,
        deliveries,
        latencies.get("p50_ms"),
        latencies.get("p90_ms"),
        latencies.get("p99_ms"),
        latencies.get("max_ms"),
        errors,
        wrong,
        result);
  }

  private static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0.0;
    }
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return round(sorted[Math.max(0, Math.min(index, sorted.length - 1))] / 1e6);
  }

  private static double round(double value) {
    return Math.round(value * 100.0) / 100.0;
  }

  private static String sha(Random random) {
    StringBuilder sha = new StringBuilder(40);
    for (int i = 0; i < 40; i++) {
      sha.append(Character.forDigit(random.nextInt(16), 16));
    }
    return sha.toString();
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --option value, got " + args[i]);
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    return options;
  }

  /** {@code --runs}: how many measured runs of (a), at least 1. */
  private static int runs(Map<String, String> options) {
    String value = options.getOrDefault("runs", "3");
    int runs;
    try {
      runs = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      runs = 0;
    }
    if (runs < 1) {
      throw new IllegalArgumentException(
          "--runs must be a whole number of at least 1, got " + value);
    }
    return runs;
  }

  private static String required(Map<String, String> options, String key) {
    String value = options.get(key);
    if (value == null) {
      throw new IllegalArgumentException("--" + key + " is required");
    }
    return value;
  }
}

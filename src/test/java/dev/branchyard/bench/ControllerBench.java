package dev.branchyard.bench;

import static dev.branchyard.bench.Samples.median;
import static dev.branchyard.bench.Samples.percentile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.branchyard.build.ImageNamer;
import dev.branchyard.deploy.ComponentRenderer;
import dev.branchyard.deploy.EnvironmentIdentity;
import dev.branchyard.deploy.EnvironmentLabels;
import dev.branchyard.deploy.HelmChartRenderer;
import dev.branchyard.deploy.Manifest;
import dev.branchyard.deploy.ManifestRenderer;
import dev.branchyard.deploy.NamespaceLayout;
import dev.branchyard.deploy.RenderContext;
import dev.branchyard.deploy.TemplateDirectory;
import dev.branchyard.git.JGitCheckout;
import dev.branchyard.lifecycle.ControllerProcess;
import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentPhase;
import dev.branchyard.lifecycle.EnvironmentSpec;
import dev.branchyard.lifecycle.Trigger;
import dev.branchyard.lifecycle.TriggerSource;
import dev.branchyard.platform.ClusterManifests;
import dev.branchyard.spec.ComponentSpec;
import dev.branchyard.spec.SpecParseResult;
import dev.branchyard.spec.SpecParser;
import dev.branchyard.spec.StackSpec;
import dev.branchyard.testing.GitHttpServer;
import dev.branchyard.testing.LocalPlatform;
import dev.branchyard.testing.TestGitConfig;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * The environment controller's costs on the real local control plane. Not a test: run it with
 * {@code scripts/bench-controller.sh [--only deploy,scale] [--runs N] [--envs N] [--components N]}.
 * Writes {@code target/bench/controller.json} and prints a markdown table per part.
 *
 * <p>The controller runs as in production but outside Quarkus: the real {@code
 * EnvironmentReconciler} and {@code ImageBuildReconciler} on java-operator-sdk, wired by {@code
 * LifecycleHarness} as the application wires them, with the application's default settings ({@code
 * branchyard.lifecycle.*}, registry cache TTL), in a JVM of its own ({@code ControllerProcess},
 * {@code -Xmx576m}: 75% of the 768 Mi limit of {@code k8s/deployment.yaml}) so its memory is its
 * own. The bench serves the components' git repositories over HTTP and pushes their images to the
 * platform's registry beforehand, so the build step finds every image and builds nothing.
 *
 * <p><b>deploy</b>: an environment of {@code --components} (10) components, each a Deployment
 * without readiness probe, a Service and a ConfigMap: time from creating the Environment to its
 * status {@code Ready} (seen by a watch), against a shell baseline: {@code kubectl apply -f} of the
 * same manifests (rendered by the controller's own renderer for a fresh namespace, with the
 * Namespace and the network policies the controller adds) and {@code kubectl rollout status} for
 * each Deployment. Runs interleave (controller, kubectl, ...) after one unmeasured warm-up each;
 * each run's namespace is deleted and gone before the next starts. Target: median ratio &le; 1.0.
 * Each controller run also reports where its time went (the controller's step timings).
 *
 * <p><b>scale</b>: {@code --envs} (100) environments of 5 components created at once (8 threads):
 * time until all are Ready, the controller's RSS (peak and after) and heap (used; live after a full
 * GC), then the controller is stopped and a new one started: time until it has had a pass for every
 * environment that wrote no status and applied nothing (a resync with nothing to do). Targets: RSS
 * &lt; 512 MB, resync &lt; 30 s. Needs room for 500 pods: a platform started with {@code
 * BRANCHYARD_HOLLOW_NODES=5} (each hollow node takes 110).
 */
public final class ControllerBench {

  private static final String REPO_PREFIX = "bench/c";
  private static final String PR_BRANCH = "feature/bench";
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration GONE_TIMEOUT = Duration.ofMinutes(5);
  private static final double RATIO_TARGET = 1.0;
  private static final long RSS_TARGET_MB = 512;
  private static final Duration RESYNC_TARGET = Duration.ofSeconds(30);
  private static final String CONTROLLER_HEAP = "-Xmx576m";
  private static final Path TEMPLATES = Path.of("src/test/resources/fixtures/bench/templates");

  private ControllerBench() {}

  enum Part {
    DEPLOY,
    SCALE;

    String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private record Options(
      Set<Part> parts,
      int runs,
      int envs,
      int components,
      int scaleComponents,
      Optional<Duration> deployPoll,
      Path output) {

    static Options parse(String[] args) {
      Set<Part> parts = java.util.EnumSet.allOf(Part.class);
      int runs = 5;
      int envs = 100;
      int components = 10;
      int scaleComponents = 5;
      Optional<Duration> deployPoll = Optional.empty();
      Path output = Path.of("target/bench/controller.json");
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--only" -> {
            parts = java.util.EnumSet.noneOf(Part.class);
            for (String name : Objects.requireNonNull(value, "--only needs parts").split(",")) {
              parts.add(Part.valueOf(name.strip().toUpperCase(Locale.ROOT)));
            }
          }
          case "--runs" -> runs = Integer.parseInt(value);
          case "--envs" -> envs = Integer.parseInt(value);
          case "--components" -> components = Integer.parseInt(value);
          case "--scale-components" -> scaleComponents = Integer.parseInt(value);
          case "--deploy-poll" -> deployPoll = Optional.of(Duration.parse(value));
          case "--output" -> output = Path.of(value);
          default ->
              throw new IllegalArgumentException(
                  "unknown argument "
                      + args[i]
                      + "; usage: [--only deploy,scale] [--runs N] [--envs N] [--components N]"
                      + " [--scale-components N] [--deploy-poll PT1S] [--output FILE]");
        }
        i++;
      }
      return new Options(parts, runs, envs, components, scaleComponents, deployPoll, output);
    }
  }

  private record Outcome(Map<String, Object> json, List<String> table) {}

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    LocalPlatform platform = LocalPlatform.get();
    Path scratch = Files.createTempDirectory(Path.of("/tmp"), "by-bc-");
    String run = UUID.randomUUID().toString().substring(0, 6);
    String home = "bench-ctl-" + run;
    String prefix = "bench-" + run + "-";
    Map<String, Throwable> failures = new LinkedHashMap<>();
    Map<String, Outcome> outcomes = new LinkedHashMap<>();
    try (KubernetesClient admin = platform.newClient();
        GitHttpServer git = GitHttpServer.start(Files.createDirectories(scratch.resolve("git")))) {
      ClusterManifests.installCrds(admin, platform.projectDir());
      admin
          .resource(new NamespaceBuilder().withNewMetadata().withName(home).endMetadata().build())
          .create();
      try {
        int repos = Math.max(options.components(), options.scaleComponents());
        Map<String, String> commits = createRepos(git, repos);
        Bench bench = new Bench(platform, admin, git, scratch, home, prefix, commits, options, run);
        for (Part part : options.parts()) {
          try {
            outcomes.put(
                part.key(),
                switch (part) {
                  case DEPLOY -> bench.deploy();
                  case SCALE -> bench.scale();
                });
          } catch (Exception | AssertionError e) {
            System.err.println("bench part " + part.key() + " failed:");
            e.printStackTrace();
            failures.put(part.key(), e);
          }
        }
      } finally {
        cleanUp(admin, home);
      }
    } finally {
      deleteTree(scratch);
    }

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("parts", List.copyOf(outcomes.keySet()));
    result.put("loadAverage", loadAverage());
    outcomes.forEach((key, outcome) -> result.put(key, outcome.json()));
    if (!failures.isEmpty()) {
      Map<String, String> failed = new LinkedHashMap<>();
      failures.forEach((key, e) -> failed.put(key, e.toString()));
      result.put("failed", failed);
    }
    Files.createDirectories(options.output().toAbsolutePath().getParent());
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(options.output().toFile(), result);
    for (Outcome outcome : outcomes.values()) {
      System.out.println();
      outcome.table().forEach(System.out::println);
    }
    System.out.println();
    System.out.println("Load average at the end (1, 5, 15 min): " + loadAverage());
    System.out.println("Written to " + options.output());
    System.exit(failures.isEmpty() ? 0 : 1);
  }

  // ---------------------------------------------------------------- fixtures

  /** One repository per component, one commit on main, a pull request branch at the same commit. */
  private static Map<String, String> createRepos(GitHttpServer git, int count) {
    Map<String, String> commits = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      String name = REPO_PREFIX + i;
      GitHttpServer.TestRepository repo = git.createRepository(name);
      String commit =
          repo.commit(
              "main",
              Map.of(
                  "Dockerfile",
                  "FROM scratch\nCOPY hello.txt /hello.txt\n",
                  "hello.txt",
                  name + "\n"),
              "component " + i);
      repo.branch(PR_BRANCH, commit);
      commits.put(name, commit);
    }
    return commits;
  }

  /**
   * The bench's stack: {@code components} components, each its own repo, none requiring another.
   */
  static String specYaml(String name, int components, int maxEnvironments) {
    StringBuilder yaml = new StringBuilder();
    yaml.append("name: ").append(name).append('\n');
    yaml.append("components:\n");
    for (int i = 0; i < components; i++) {
      yaml.append("  - name: c").append(i).append('\n');
      yaml.append("    repo: ").append(REPO_PREFIX).append(i).append('\n');
      yaml.append("    build: {dockerfile: Dockerfile}\n");
      yaml.append("    deploy: {manifests: bench/app}\n");
    }
    yaml.append("triggers:\n  repos: [").append(REPO_PREFIX).append("0]\n");
    yaml.append("ttl: {default: 2h, max: 1d}\n");
    yaml.append("limits: {maxEnvironments: ").append(maxEnvironments).append(", onLimit: queue}\n");
    yaml.append("values:\n  greeting: hello\n");
    return yaml.toString();
  }

  private static StackSpec parse(String name, String yaml) {
    SpecParseResult result = new SpecParser().parse(name + ".yaml", yaml);
    if (!(result instanceof SpecParseResult.Valid valid)) {
      throw new IllegalStateException("the bench's spec is invalid: " + result + "\n" + yaml);
    }
    return valid.spec();
  }

  // ---------------------------------------------------------------- the parts

  private static final class Bench {
    private final LocalPlatform platform;
    private final KubernetesClient admin;
    private final GitHttpServer git;
    private final Path scratch;
    private final String home;
    private final String prefix;
    private final Map<String, String> commits;
    private final Options options;
    private final String run;
    private final Map<String, Long> readyAt = new ConcurrentHashMap<>();
    private final Map<String, Boolean> gone = new ConcurrentHashMap<>();

    Bench(
        LocalPlatform platform,
        KubernetesClient admin,
        GitHttpServer git,
        Path scratch,
        String home,
        String prefix,
        Map<String, String> commits,
        Options options,
        String run) {
      this.platform = platform;
      this.admin = admin;
      this.git = git;
      this.scratch = scratch;
      this.home = home;
      this.prefix = prefix;
      this.commits = commits;
      this.options = options;
      this.run = run;
    }

    /** Pushes each component's image under the name the controller will look for. */
    void pushImages(StackSpec spec) throws Exception {
      ImageNamer namer = new ImageNamer(platform.registry(), "branchyard/");
      for (ComponentSpec component : spec.components()) {
        String image =
            namer
                .name(component.repo(), commits.get(component.repo()), component.build().get())
                .reference();
        TinyImages.push(image);
      }
    }

    Path writeSpec(String name, int components) throws IOException {
      String yaml = specYaml(name, components, 1000);
      parse(name, yaml);
      Path file = scratch.resolve(name + ".yaml");
      Files.writeString(file, yaml);
      return file;
    }

    ControllerChild startController(String label, Path... specs) throws IOException {
      List<String> args = new ArrayList<>();
      args.add("kubeconfig=" + platform.kubeconfig());
      args.add("home=" + home);
      args.add("prefix=" + prefix);
      args.add("registry=" + platform.registry());
      args.add("git=" + git.baseUrl());
      args.add("spec=" + Arrays.stream(specs).map(Path::toString).collect(Collectors.joining(",")));
      args.add("templates=" + TEMPLATES.toAbsolutePath());
      args.add("work=" + Files.createDirectories(scratch.resolve("controller-" + label)));
      args.add("max-environments=1000");
      options.deployPoll().ifPresent(d -> args.add("deploy-poll=" + d));
      return ControllerChild.start(label, args, options.output().toAbsolutePath().getParent());
    }

    /** Watches this bench's Environments, noting when each is first Ready and when it is gone. */
    SharedIndexInformer<Environment> watchEnvironments() {
      return admin
          .resources(Environment.class)
          .inNamespace(home)
          .inform(
              new ResourceEventHandler<>() {
                @Override
                public void onAdd(Environment env) {
                  seen(env);
                }

                @Override
                public void onUpdate(Environment old, Environment env) {
                  seen(env);
                }

                @Override
                public void onDelete(Environment env, boolean unknownFinalState) {
                  gone.put(env.getMetadata().getName(), true);
                }
              });
    }

    private void seen(Environment env) {
      long now = System.nanoTime();
      if (env.getStatus() != null
          && env.getStatus().phase() == EnvironmentPhase.Ready
          && Objects.equals(
              env.getStatus().observedGeneration(), env.getMetadata().getGeneration())) {
        readyAt.putIfAbsent(env.getMetadata().getName(), now);
      }
      if (env.getStatus() != null && env.getStatus().phase() == EnvironmentPhase.Failed) {
        System.err.println(
            "environment " + env.getMetadata().getName() + " failed: " + env.getStatus().message());
      }
    }

    Environment environment(String name, String spec) {
      String repo = REPO_PREFIX + "0";
      Trigger trigger =
          new Trigger(
              TriggerSource.PullRequest,
              repo,
              1,
              PR_BRANCH,
              "main",
              commits.get(repo),
              "bench",
              false);
      Environment env = new Environment(name, new EnvironmentSpec(spec, trigger, null));
      env.getMetadata().setNamespace(home);
      return env;
    }

    void awaitReady(List<String> names, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!readyAt.keySet().containsAll(names)) {
        if (System.nanoTime() > deadline) {
          List<String> missing = names.stream().filter(n -> !readyAt.containsKey(n)).toList();
          throw new IllegalStateException(
              missing.size()
                  + " environments not Ready after "
                  + timeout
                  + ", e.g. "
                  + missing.get(0)
                  + ": "
                  + describe(missing.get(0)));
        }
        Thread.sleep(5);
      }
    }

    private String describe(String name) {
      Environment env = admin.resources(Environment.class).inNamespace(home).withName(name).get();
      return env == null || env.getStatus() == null
          ? "no status"
          : env.getStatus().phase() + ": " + env.getStatus().message();
    }

    /** Deletes environments and waits until they (and so their namespaces) are gone. */
    void deleteEnvironments(List<String> names) throws InterruptedException {
      for (String name : names) {
        admin.resources(Environment.class).inNamespace(home).withName(name).delete();
      }
      long deadline = System.nanoTime() + GONE_TIMEOUT.toNanos();
      while (!names.stream().allMatch(gone::containsKey)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("environments not gone after " + GONE_TIMEOUT);
        }
        Thread.sleep(100);
      }
    }

    void deleteNamespace(String namespace) throws InterruptedException {
      admin.namespaces().withName(namespace).delete();
      long deadline = System.nanoTime() + GONE_TIMEOUT.toNanos();
      while (admin.namespaces().withName(namespace).get() != null) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("namespace " + namespace + " not gone");
        }
        Thread.sleep(200);
      }
    }

    // ---- deploy

    Outcome deploy() throws Exception {
      int components = options.components();
      String specName = "deploy";
      Path specFile = writeSpec(specName, components);
      StackSpec spec = parse(specName, Files.readString(specFile));
      pushImages(spec);
      Path kubectl =
          Path.of(System.getProperty("user.home"), ".cache/branchyard/k8s-v1.20.2/bin/kubectl");
      int runs = options.runs();
      long[] controller = new long[runs];
      long[] shell = new long[runs];
      List<Map<String, Object>> profiles = new ArrayList<>();
      List<Integer> passes = new ArrayList<>();
      try (ControllerChild child = startController("deploy", specFile);
          SharedIndexInformer<Environment> informer = watchEnvironments()) {
        child.awaitStarted(Duration.ofMinutes(3));
        for (int i = -1; i < runs; i++) {
          String label = i < 0 ? "w" : String.valueOf(i + 1);
          // Controller.
          String name = specName + "-" + label;
          child.command("reset");
          List<String> passLines = new ArrayList<>();
          Consumer<String> onPass =
              line -> {
                if (line.startsWith("pass " + name + " ")) {
                  synchronized (passLines) {
                    passLines.add(line);
                  }
                }
              };
          child.onLine(onPass);
          long start = System.nanoTime();
          admin
              .resources(Environment.class)
              .inNamespace(home)
              .resource(environment(name, specName))
              .create();
          awaitReady(List.of(name), READY_TIMEOUT);
          long took = readyAt.get(name) - start;
          JsonNode stats = child.stats();
          child.removeListener(onPass);
          deleteEnvironments(List.of(name));

          // kubectl.
          String namespace = prefix + "kubectl-" + label;
          Path manifests = scratch.resolve("kubectl-" + label + ".yaml");
          List<String> deployments = renderForKubectl(spec, namespace, manifests);
          long shellTook = runKubectl(kubectl, namespace, manifests, deployments);
          deleteNamespace(namespace);

          System.err.printf(
              Locale.ROOT,
              "deploy run %s: controller %.0f ms (%d passes), kubectl %.0f ms%n",
              label,
              took / 1e6,
              passLines.size(),
              shellTook / 1e6);
          if (i >= 0) {
            controller[i] = took;
            shell[i] = shellTook;
            passes.add(passLines.size());
            Map<String, Object> profile = new LinkedHashMap<>();
            profile.put("readyMs", millis(took));
            profile.put("passes", passLines);
            profile.put("steps", stats.get("steps"));
            profiles.add(profile);
          }
        }
      }
      double ratio = (double) median(controller) / median(shell);
      boolean ok = ratio <= RATIO_TARGET;
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("components", components);
      json.put("runs", runs);
      json.put("controllerRunsAs", controllerDescription());
      json.put("controllerReadyMs", stats(controller));
      json.put("kubectlMs", stats(shell));
      json.put("ratio", Math.round(ratio * 1000) / 1000.0);
      json.put("ratioTarget", RATIO_TARGET);
      json.put("targetMet", ok);
      json.put("profiles", profiles);
      List<String> table = new ArrayList<>();
      table.add(
          "Deploy overhead: "
              + components
              + "-component environment (Deployment + Service + ConfigMap each, images present),"
              + " median of "
              + runs
              + " runs each after 1 warm-up, interleaved");
      table.add("");
      table.add("| case | median | min | max | target |");
      table.add("|---|---:|---:|---:|---|");
      table.add(
          row(
              "controller: Environment created -> status Ready",
              controller,
              String.format(Locale.ROOT, "ratio %.2f <= 1.0: %s", ratio, verdict(ok))));
      table.add(
          row(
              "`kubectl apply -f` (same manifests) + `kubectl rollout status` x" + components,
              shell,
              "baseline"));
      table.add("");
      table.add("Controller: " + controllerDescription() + ".");
      table.add(
          "Where a controller run's time went (median run): " + profileLine(profiles, controller));
      return new Outcome(json, table);
    }

    /**
     * The manifests the controller would apply for an environment in {@code namespace}, rendered by
     * the same renderer and labelled as the applier labels them, plus the Namespace and the
     * environment objects the controller adds (network policies): one YAML stream for {@code
     * kubectl apply -f}.
     */
    private List<String> renderForKubectl(StackSpec spec, String namespace, Path file)
        throws Exception {
      String environment = namespace.substring(prefix.length());
      EnvironmentIdentity id =
          new EnvironmentIdentity(environment, "bench-" + run, home, spec.name(), namespace);
      NamespaceLayout layout =
          new NamespaceLayout(
              prefix.substring(0, prefix.length()),
              Optional.empty(),
              Map.of("kubernetes.io/metadata.name", "ingress-nginx"));
      ManifestRenderer manifests = new ManifestRenderer();
      ComponentRenderer renderer =
          new ComponentRenderer(
              new TemplateDirectory(TEMPLATES.toAbsolutePath()),
              manifests,
              new HelmChartRenderer(manifests),
              new JGitCheckout(TestGitConfig.defaults().withGithubBaseUrl(git.baseUrl())));
      ImageNamer namer = new ImageNamer(platform.registry(), "branchyard/");
      Map<String, String> services = new LinkedHashMap<>();
      spec.components().forEach(c -> services.put(c.name(), c.name()));
      List<Map<String, Object>> objects = new ArrayList<>();
      objects.add(layout.namespace(id).object());
      layout
          .environmentObjects(id, spec, Optional.empty())
          .forEach(m -> objects.add(labelled(m, environment)));
      List<String> deployments = new ArrayList<>();
      for (ComponentSpec component : spec.components()) {
        String sha = commits.get(component.repo());
        RenderContext context =
            new RenderContext(
                environment,
                namespace,
                spec.name(),
                component.name(),
                component.repo(),
                sha,
                Optional.of(namer.name(component.repo(), sha, component.build().get()).reference()),
                Optional.empty(),
                services,
                spec.values());
        for (Manifest manifest : renderer.render(component, context)) {
          Map<String, Object> object = labelled(manifest, environment);
          @SuppressWarnings("unchecked")
          Map<String, Object> metadata = (Map<String, Object>) object.get("metadata");
          metadata.put("namespace", namespace);
          objects.add(object);
          if (manifest.kind().equals("Deployment")) {
            deployments.add(manifest.name());
          }
        }
      }
      try (Writer out = Files.newBufferedWriter(file)) {
        for (Map<String, Object> object : objects) {
          out.write("---\n");
          out.write(Serialization.asYaml(object).replaceFirst("^---\n", ""));
        }
      }
      return deployments;
    }

    /** A deep copy of the manifest's object with the labels the applier adds. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> labelled(Manifest manifest, String environment) {
      Map<String, Object> object =
          Serialization.jsonMapper().convertValue(manifest.object(), LinkedHashMap.class);
      Map<String, Object> metadata =
          (Map<String, Object>) object.computeIfAbsent("metadata", k -> new LinkedHashMap<>());
      Map<String, Object> labels =
          (Map<String, Object>) metadata.computeIfAbsent("labels", k -> new LinkedHashMap<>());
      labels.put(EnvironmentLabels.MANAGED_BY, EnvironmentLabels.MANAGED_BY_VALUE);
      labels.put(EnvironmentLabels.ENVIRONMENT, environment);
      labels.put(EnvironmentLabels.COMPONENT, manifest.component());
      return object;
    }

    private long runKubectl(
        Path kubectl, String namespace, Path manifests, List<String> deployments)
        throws IOException, InterruptedException {
      StringBuilder script = new StringBuilder("set -e\n");
      String k = quote(kubectl) + " --kubeconfig " + quote(platform.kubeconfig());
      script.append(k).append(" apply -f ").append(quote(manifests)).append('\n');
      for (String deployment : deployments) {
        script
            .append(k)
            .append(" rollout status -n ")
            .append(quote(namespace))
            .append(" deployment/")
            .append(deployment)
            .append(" --timeout=300s\n");
      }
      Path log = scratch.resolve("kubectl.log");
      ProcessBuilder builder =
          new ProcessBuilder("sh", "-c", script.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      long start = System.nanoTime();
      Process process = builder.start();
      process.getOutputStream().close();
      if (!process.waitFor(6, TimeUnit.MINUTES)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        throw new IllegalStateException("kubectl timed out:\n" + Files.readString(log));
      }
      long took = System.nanoTime() - start;
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            "kubectl failed (exit " + process.exitValue() + "):\n" + Files.readString(log));
      }
      return took;
    }

    // ---- scale

    Outcome scale() throws Exception {
      int envs = options.envs();
      int components = options.scaleComponents();
      String specName = "scale";
      Path specFile = writeSpec(specName, components);
      StackSpec spec = parse(specName, Files.readString(specFile));
      pushImages(spec);
      List<String> names =
          IntStream.rangeClosed(1, envs)
              .mapToObj(i -> String.format(Locale.ROOT, "%s-%03d", specName, i))
              .toList();
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("environments", envs);
      json.put("components", components);
      json.put("controllerRunsAs", controllerDescription());
      List<String> table = new ArrayList<>();
      try (SharedIndexInformer<Environment> informer = watchEnvironments()) {
        long allReady;
        long[] perEnv = new long[envs];
        RssSampler.Sample afterReady;
        JsonNode heap;
        long peakRss;
        ControllerChild first = startController("scale-1", specFile);
        try {
          first.awaitStarted(Duration.ofMinutes(3));
          try (RssSampler sampler = new RssSampler(first.pid())) {
            ExecutorService threads = Executors.newFixedThreadPool(8);
            long start = System.nanoTime();
            try {
              List<Future<?>> created = new ArrayList<>();
              for (String name : names) {
                created.add(
                    threads.submit(
                        () ->
                            admin
                                .resources(Environment.class)
                                .inNamespace(home)
                                .resource(environment(name, specName))
                                .create()));
              }
              for (Future<?> f : created) {
                f.get(5, TimeUnit.MINUTES);
              }
            } finally {
              threads.shutdownNow();
            }
            long createdAll = System.nanoTime() - start;
            awaitReady(names, Duration.ofMinutes(20));
            allReady = names.stream().mapToLong(readyAt::get).max().orElseThrow() - start;
            for (int i = 0; i < envs; i++) {
              perEnv[i] = readyAt.get(names.get(i)) - start;
            }
            json.put("allCreatedMs", millis(createdAll));
            // Let the last passes finish before measuring what the controller holds.
            Thread.sleep(5_000);
            heap = first.stats();
            afterReady = RssSampler.read(first.pid());
            peakRss = sampler.peakKb();
          }
        } finally {
          first.close();
        }

        Map<String, String> versions = resourceVersions();
        Map<String, JsonNode> statusesBefore = statuses();
        ControllerChild second;
        long restart = System.nanoTime();
        Map<String, Long> resynced = new ConcurrentHashMap<>();
        Map<String, String> busy = new ConcurrentHashMap<>();
        second = startController("scale-2", specFile);
        long resyncAll;
        long startedAfter;
        RssSampler.Sample afterResync;
        JsonNode heapAfterResync;
        try {
          second.onLine(
              line -> {
                String[] words = line.split(" ");
                if (words.length == 5 && words[0].equals("pass")) {
                  if (words[3].equals("0") && words[4].equals("0")) {
                    resynced.putIfAbsent(words[1], System.nanoTime());
                  } else {
                    busy.put(words[1], line);
                  }
                }
              });
          second.awaitStarted(Duration.ofMinutes(3));
          startedAfter = second.startedAt() - restart;
          long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
          while (!resynced.keySet().containsAll(names)) {
            if (System.nanoTime() > deadline) {
              throw new IllegalStateException(
                  "resync incomplete ("
                      + changedStatus(statusesBefore, busy.keySet())
                      + "): "
                      + resynced.size()
                      + " of "
                      + envs
                      + " environments passed with nothing to do; passes that did work: "
                      + busy.values().stream().limit(5).toList());
            }
            Thread.sleep(5);
          }
          resyncAll = names.stream().mapToLong(resynced::get).max().orElseThrow() - restart;
          Thread.sleep(2_000);
          heapAfterResync = second.stats();
          afterResync = RssSampler.read(second.pid());
          Map<String, String> versionsAfter = resourceVersions();
          json.put("unchangedByResync", versions.equals(versionsAfter));
          json.put("passesThatDidWork", busy.size());
          // Not deleted one by one (100 namespaces take minutes): the clean-up at the end releases
          // the finalizers and deletes the namespaces without waiting.
        } finally {
          second.close();
        }

        boolean rssOk = peakRss / 1024 < RSS_TARGET_MB;
        boolean resyncOk = resyncAll < RESYNC_TARGET.toNanos();
        json.put("allReadyMs", millis(allReady));
        json.put("perEnvironmentReadyMs", stats(perEnv));
        json.put("rssPeakMb", peakRss / 1024.0);
        json.put("rssAfterReadyMb", afterReady.rssKb() / 1024.0);
        json.put("heapAfterReady", heap);
        json.put("resyncMs", millis(resyncAll));
        json.put("resyncJvmToOperatorStartedMs", millis(startedAfter));
        json.put("resyncAfterOperatorStartedMs", millis(resyncAll - startedAfter));
        json.put("rssAfterResyncMb", afterResync.rssKb() / 1024.0);
        json.put("rssPeakDuringResyncMb", afterResync.hwmKb() / 1024.0);
        json.put("heapAfterResync", heapAfterResync);
        json.put("targets", Map.of("rssMb", RSS_TARGET_MB, "resyncMs", RESYNC_TARGET.toMillis()));
        json.put("targetsMet", Map.of("rss", rssOk, "resync", resyncOk));

        table.add(
            "Scale: "
                + envs
                + " environments x "
                + components
                + " components created at once (8 threads); controller in its own JVM ("
                + CONTROLLER_HEAP
                + ")");
        table.add("");
        table.add("| measure | value | target |");
        table.add("|---|---:|---|");
        table.add(
            String.format(
                Locale.ROOT,
                "| all %d Ready after | %.1f s (per env median %.1f s, p95 %.1f s) | - |",
                envs,
                allReady / 1e9,
                median(perEnv) / 1e9,
                percentile(perEnv, 95) / 1e9));
        table.add(
            String.format(
                Locale.ROOT,
                "| controller RSS, peak (VmHWM) | %.0f MB | < %d MB: %s |",
                peakRss / 1024.0,
                RSS_TARGET_MB,
                verdict(rssOk)));
        table.add(
            String.format(
                Locale.ROOT,
                "| controller RSS after all Ready | %.0f MB | - |",
                afterReady.rssKb() / 1024.0));
        table.add(
            String.format(
                Locale.ROOT,
                "| heap used / live after full GC / committed | %.0f / %.0f / %.0f MB | - |",
                heap.get("heapUsedMb").asDouble(),
                heap.get("heapLiveAfterGcMb").asDouble(),
                heap.get("heapCommittedMb").asDouble()));
        table.add(
            String.format(
                Locale.ROOT,
                "| resync after restart (new JVM -> every env passed, nothing to do) | %.1f s"
                    + " (JVM start -> operator started %.1f s; then %.1f s) | < 30 s: %s |",
                resyncAll / 1e9,
                startedAfter / 1e9,
                (resyncAll - startedAfter) / 1e9,
                verdict(resyncOk)));
        table.add(
            String.format(
                Locale.ROOT,
                "| controller RSS after resync (peak) | %.0f MB (%.0f MB) | - |",
                afterResync.rssKb() / 1024.0,
                afterResync.hwmKb() / 1024.0));
        table.add("");
        table.add(
            "Resync changed nothing: "
                + json.get("unchangedByResync")
                + " (every Environment's resourceVersion the same before and after).");
      }
      return new Outcome(json, table);
    }

    private Map<String, JsonNode> statuses() {
      return admin.resources(Environment.class).inNamespace(home).list().getItems().stream()
          .collect(
              Collectors.toMap(
                  e -> e.getMetadata().getName(),
                  e -> Serialization.jsonMapper().valueToTree(e.getStatus())));
    }

    /**
     * What a resync changed in the status of the first of {@code names}: the fields that differ.
     */
    private String changedStatus(Map<String, JsonNode> before, Set<String> names) {
      if (names.isEmpty()) {
        return "no status changed";
      }
      String name = names.iterator().next();
      JsonNode after = statuses().get(name);
      JsonNode was = before.get(name);
      List<String> changed = new ArrayList<>();
      if (after != null && was != null) {
        after
            .fieldNames()
            .forEachRemaining(
                field -> {
                  if (!Objects.equals(after.get(field), was.get(field))) {
                    changed.add(field + ": " + was.get(field) + " -> " + after.get(field));
                  }
                });
      }
      return name + " changed " + changed;
    }

    private Map<String, String> resourceVersions() {
      return admin.resources(Environment.class).inNamespace(home).list().getItems().stream()
          .collect(
              Collectors.toMap(
                  e -> e.getMetadata().getName(), e -> e.getMetadata().getResourceVersion()));
    }
  }

  static String controllerDescription() {
    return "the real EnvironmentReconciler + ImageBuildReconciler on java-operator-sdk, wired as"
        + " the application wires them (LifecycleHarness), application defaults"
        + " (deploy-poll-interval 1s, registry cache TTL 5m), in its own JVM ("
        + CONTROLLER_HEAP
        + ")";
  }

  private static String profileLine(List<Map<String, Object>> profiles, long[] controller) {
    if (profiles.isEmpty()) {
      return "-";
    }
    long median = median(controller);
    Map<String, Object> profile =
        profiles.stream()
            .filter(p -> ((Double) p.get("readyMs")) == millis(median))
            .findFirst()
            .orElse(profiles.get(0));
    JsonNode steps = (JsonNode) profile.get("steps");
    List<String> parts = new ArrayList<>();
    parts.add(((List<?>) profile.get("passes")).size() + " passes");
    steps
        .fields()
        .forEachRemaining(
            e ->
                parts.add(
                    String.format(
                        Locale.ROOT,
                        "%s %d x = %.0f ms",
                        e.getKey(),
                        e.getValue().get("calls").asLong(),
                        e.getValue().get("totalMs").asDouble())));
    return String.join("; ", parts);
  }

  // ---------------------------------------------------------------- the controller JVM

  /** A {@code ControllerProcess} JVM; {@link #close()} closes its stdin, which stops it. */
  private static final class ControllerChild implements AutoCloseable {
    private final Process process;
    private final OutputStream stdin;
    private final CompletableFuture<Long> started = new CompletableFuture<>();
    private final List<Consumer<String>> listeners =
        new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile CompletableFuture<JsonNode> stats;

    private ControllerChild(Process process, Path log) {
      this.process = process;
      this.stdin = process.getOutputStream();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader in =
                        new BufferedReader(
                            new InputStreamReader(
                                process.getInputStream(), StandardCharsets.UTF_8));
                    Writer out = Files.newBufferedWriter(log)) {
                  String line;
                  while ((line = in.readLine()) != null) {
                    if (!line.startsWith("@bench ")) {
                      out.write(line);
                      out.write('\n');
                      continue;
                    }
                    String message = line.substring("@bench ".length());
                    if (message.startsWith("started ")) {
                      started.complete(System.nanoTime());
                    } else if (message.startsWith("stats ")) {
                      stats.complete(
                          new ObjectMapper().readTree(message.substring("stats ".length())));
                    }
                    for (Consumer<String> listener : listeners) {
                      listener.accept(message);
                    }
                  }
                } catch (IOException e) {
                  started.completeExceptionally(e);
                }
                started.completeExceptionally(
                    new IllegalStateException("the controller exited; see " + log));
              },
              "controller-output");
      reader.setDaemon(true);
      reader.start();
    }

    static ControllerChild start(String label, List<String> args, Path logDir) throws IOException {
      Files.createDirectories(logDir);
      Path log = logDir.resolve("controller-" + label + ".log");
      List<String> command = new ArrayList<>();
      command.add(ProcessHandle.current().info().command().orElse("java"));
      command.add(CONTROLLER_HEAP);
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(ControllerProcess.class.getName());
      command.addAll(args);
      Process process =
          new ProcessBuilder(command)
              .redirectError(logDir.resolve("controller-" + label + ".err.log").toFile())
              .start();
      return new ControllerChild(process, log);
    }

    long pid() {
      return process.pid();
    }

    void awaitStarted(Duration timeout) throws Exception {
      started.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    long startedAt() throws Exception {
      return started.get();
    }

    void onLine(Consumer<String> listener) {
      listeners.add(listener);
    }

    void removeListener(Consumer<String> listener) {
      listeners.remove(listener);
    }

    synchronized void command(String command) throws IOException {
      stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    }

    synchronized JsonNode stats() throws Exception {
      stats = new CompletableFuture<>();
      command("stats");
      return stats.get(1, TimeUnit.MINUTES);
    }

    @Override
    public void close() throws Exception {
      try {
        stdin.close();
      } catch (IOException e) {
        // already gone
      }
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    }
  }

  /** Samples a process's resident set size from /proc every 200 ms, keeping the peak. */
  private static final class RssSampler implements AutoCloseable {
    record Sample(long rssKb, long hwmKb) {}

    private final java.util.concurrent.ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "rss-sampler");
              t.setDaemon(true);
              return t;
            });
    private volatile long peakKb;

    RssSampler(long pid) {
      timer.scheduleAtFixedRate(
          () -> {
            try {
              Sample sample = read(pid);
              peakKb = Math.max(peakKb, Math.max(sample.rssKb(), sample.hwmKb()));
            } catch (RuntimeException e) {
              // the process ended
            }
          },
          0,
          200,
          TimeUnit.MILLISECONDS);
    }

    long peakKb() {
      return peakKb;
    }

    static Sample read(long pid) {
      try {
        long rss = 0;
        long hwm = 0;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
          if (line.startsWith("VmRSS:")) {
            rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
          } else if (line.startsWith("VmHWM:")) {
            hwm = Long.parseLong(line.replaceAll("[^0-9]", ""));
          }
        }
        return new Sample(rss, hwm);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      timer.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- a tiny image over HTTP

  /**
   * Pushes a minimal image (one empty layer) with the registry's HTTP API: the controller only asks
   * whether the manifest exists, and pods on the hollow node never pull it.
   */
  static final class TinyImages {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static void push(String reference) throws Exception {
      int slash = reference.indexOf('/');
      int colon = reference.lastIndexOf(':');
      String registry = reference.substring(0, slash);
      String repository = reference.substring(slash + 1, colon);
      String tag = reference.substring(colon + 1);
      String base = "http://" + registry + "/v2/" + repository;
      byte[] tar = new byte[1024];
      java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
      try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
        out.write(tar);
      }
      byte[] layer = gz.toByteArray();
      byte[] config =
          ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":"
                  + "\"layers\",\"diff_ids\":[\""
                  + digest(tar)
                  + "\"]}}")
              .getBytes(StandardCharsets.UTF_8);
      upload(base, config);
      upload(base, layer);
      String manifest =
          "{\"schemaVersion\":2,\"mediaType\":"
              + "\"application/vnd.docker.distribution.manifest.v2+json\",\"config\":{\"mediaType\":"
              + "\"application/vnd.docker.container.image.v1+json\",\"size\":"
              + config.length
              + ",\"digest\":\""
              + digest(config)
              + "\"},\"layers\":[{\"mediaType\":"
              + "\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":"
              + layer.length
              + ",\"digest\":\""
              + digest(layer)
              + "\"}]}";
      HttpResponse<String> put =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + "/manifests/" + tag))
                  .header("Content-Type", "application/vnd.docker.distribution.manifest.v2+json")
                  .PUT(HttpRequest.BodyPublishers.ofString(manifest))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (put.statusCode() != 201) {
        throw new IllegalStateException(
            "PUT manifest " + reference + ": " + put.statusCode() + " " + put.body());
      }
    }

    private static void upload(String base, byte[] blob) throws Exception {
      HttpResponse<String> start =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + "/blobs/uploads/"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (start.statusCode() != 202) {
        throw new IllegalStateException("blob upload: " + start.statusCode() + " " + start.body());
      }
      String location = start.headers().firstValue("Location").orElseThrow();
      URI uri = URI.create(base).resolve(location);
      String separator = uri.getQuery() == null ? "?" : "&";
      HttpResponse<String> put =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(uri + separator + "digest=" + digest(blob)))
                  .header("Content-Type", "application/octet-stream")
                  .PUT(HttpRequest.BodyPublishers.ofByteArray(blob))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (put.statusCode() != 201) {
        throw new IllegalStateException("blob put: " + put.statusCode() + " " + put.body());
      }
    }

    private static String digest(byte[] bytes) throws Exception {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
  }

  // ---------------------------------------------------------------- clean-up and statistics

  private static void cleanUp(KubernetesClient admin, String home) {
    try {
      ControllerProcess.releaseFinalizers(admin, home);
      admin.namespaces().withLabel(EnvironmentLabels.HOME_NAMESPACE, home).delete();
      admin.namespaces().withName(home).delete();
    } catch (RuntimeException e) {
      System.err.println("clean-up of " + home + " failed: " + e);
    }
  }

  private static String loadAverage() {
    try {
      String[] words = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return words[0] + ", " + words[1] + ", " + words[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static Map<String, Object> stats(long[] nanos) {
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("median", millis(median(nanos)));
    stats.put("min", millis(Arrays.stream(nanos).min().orElseThrow()));
    stats.put("max", millis(Arrays.stream(nanos).max().orElseThrow()));
    stats.put("samples", Arrays.stream(nanos).mapToObj(ControllerBench::millis).toList());
    return stats;
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 100_000.0) / 10.0;
  }

  private static String row(String name, long[] nanos, String target) {
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

  private static String quote(Object word) {
    return "'" + word.toString().replace("'", "'\\''") + "'";
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
      System.err.println("could not remove " + dir + ": " + e);
    }
  }
}

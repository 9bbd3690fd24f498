package dev.branchyard.lifecycle;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.branchyard.build.ImageRegistry;
import dev.branchyard.build.RegistryException;
import dev.branchyard.deploy.ComponentManifests;
import dev.branchyard.deploy.IngressTarget;
import dev.branchyard.deploy.Manifest;
import dev.branchyard.deploy.ManifestApplier;
import dev.branchyard.deploy.ReadinessChecker;
import dev.branchyard.deploy.RenderContext;
import dev.branchyard.deploy.RenderException;
import dev.branchyard.spec.ComponentSpec;
import dev.branchyard.spec.SourceSnapshot;
import dev.branchyard.spec.SpecCatalog;
import dev.branchyard.spec.SpecParseResult;
import dev.branchyard.spec.SpecParser;
import dev.branchyard.spec.StackSpec;
import dev.branchyard.testing.TestBuildConfig;
import dev.branchyard.testing.TestGitConfig;
import dev.branchyard.testing.TestLifecycleConfig;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One controller replica (the ImageBuild and Environment controllers, wired by {@link
 * LifecycleHarness} as the application wires them) in a JVM of its own, for benchmarks: {@code
 * dev.branchyard.bench.ControllerBench} starts it so that its memory is measured apart from the
 * bench's, and restarts it to time a resync. Not a test.
 *
 * <p>Arguments, {@code key=value}: {@code kubeconfig}, {@code home} (the namespace it watches),
 * {@code prefix} (of environment namespaces), {@code registry} ({@code host:port}), {@code git}
 * (base URL the repos are served under), {@code spec} (a spec file, loaded as the whole catalog),
 * {@code templates}, {@code work} (scratch dir), {@code max-environments}, and optionally {@code
 * deploy-poll} (an ISO-8601 duration; default the application's). Everything else is the
 * application's default ({@link TestLifecycleConfig#productionDefaults()}, the registry client's
 * cache TTL of {@code branchyard.build.cache-ttl}).
 *
 * <p>It talks over stdout, one line per message starting with {@value #PREFIX}: {@code started <ms
 * since JVM start>} once the operator has started; {@code pass <environment> <ms> <status writes>
 * <component applies>} after every pass of the Environment reconciler; {@code stats <json>} when
 * {@code stats} is written to its stdin (step timings since the last {@code reset}, heap now and
 * after a full GC). It exits when its stdin closes.
 */
public final class ControllerProcess {

  static final String PREFIX = "@bench ";

  private ControllerProcess() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("expected key=value, got " + arg);
      }
      options.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    Timings timings = new Timings();
    TestLifecycleConfig config =
        TestLifecycleConfig.productionDefaults()
            .withMaxEnvironments(Integer.parseInt(required(options, "max-environments")));
    if (options.containsKey("deploy-poll")) {
      config = config.withDeployPollInterval(Duration.parse(options.get("deploy-poll")));
    }
    Setup setup = Setup.from(options);
    try (LifecycleHarness harness =
        LifecycleHarness.start(setup, "bench", false, config, timings)) {
      say(
          "started "
              + (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()));
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        switch (line.strip()) {
          case "stats" -> say("stats " + new ObjectMapper().writeValueAsString(timings.stats()));
          case "reset" -> timings.reset();
          default -> say("unknown " + line);
        }
      }
    }
    System.exit(0);
  }

  /**
   * Removes the finalizers controllers put on the resources in {@code namespace}, for a bench that
   * cleans up after its controller is gone.
   */
  public static void releaseFinalizers(KubernetesClient client, String namespace) {
    LifecycleHarness.releaseFinalizers(client, namespace);
  }

  private static synchronized void say(String message) {
    System.out.println(PREFIX + message);
    System.out.flush();
  }

  private static String required(Map<String, String> options, String key) {
    String value = options.get(key);
    if (value == null) {
      throw new IllegalArgumentException("missing argument " + key + "=...");
    }
    return value;
  }

  /** The replica's surroundings, from its arguments. */
  private record Setup(
      Config clientConfig,
      String home,
      String namespacePrefix,
      SpecCatalog catalog,
      Path templates,
      TestGitConfig gitConfig,
      TestBuildConfig buildConfig,
      String registry)
      implements ControllerSetup {

    static Setup from(Map<String, String> options) throws IOException {
      Config config =
          Config.fromKubeconfig(Files.readString(Path.of(required(options, "kubeconfig"))));
      String home = required(options, "home");
      config.setNamespace(home);
      List<SpecParseResult> specs = new ArrayList<>();
      for (String file : required(options, "spec").split(",")) {
        Path specFile = Path.of(file);
        SpecParseResult parsed =
            new SpecParser().parse(specFile.getFileName().toString(), Files.readString(specFile));
        if (!(parsed instanceof SpecParseResult.Valid)) {
          throw new IllegalArgumentException("invalid spec " + specFile + ": " + parsed);
        }
        specs.add(parsed);
      }
      SpecCatalog catalog = new SpecCatalog(Clock.systemUTC());
      catalog.apply("bench", SourceSnapshot.atRevision("r1", specs));
      String registry = required(options, "registry");
      Path work = Path.of(required(options, "work"));
      return new Setup(
          config,
          home,
          required(options, "prefix"),
          catalog,
          Path.of(required(options, "templates")),
          TestGitConfig.defaults().withGithubBaseUrl(required(options, "git")),
          TestBuildConfig.defaults()
              .withRegistry(registry, true, null, null)
              .withLocalWorkDir(Files.createDirectories(work.resolve("w"))),
          registry);
    }

    /** The application's: {@code branchyard.build.cache-ttl}. */
    @Override
    public Duration registryCacheTtl() {
      return buildConfig.cacheTtl();
    }
  }

  /**
   * Times each part of the pipeline and each Environment pass (through java-operator-sdk's metrics
   * hook), counting per pass the status writes and the applies of component objects (the
   * namespace's own objects are applied on every pass and counted apart).
   */
  private static final class Timings implements ControllerInstruments, Metrics {

    private static final ThreadLocal<int[]> PASS = ThreadLocal.withInitial(() -> new int[2]);
    private static final ThreadLocal<Boolean> IN_NAMESPACE =
        ThreadLocal.withInitial(() -> Boolean.FALSE);

    private final Map<String, LongAdder[]> steps = new ConcurrentHashMap<>();

    <T> T time(String step, ThrowingSupplier<T> work) throws Exception {
      long start = System.nanoTime();
      try {
        return work.get();
      } finally {
        record(step, System.nanoTime() - start);
      }
    }

    void record(String step, long nanos) {
      LongAdder[] adders =
          steps.computeIfAbsent(step, s -> new LongAdder[] {new LongAdder(), new LongAdder()});
      adders[0].increment();
      adders[1].add(nanos);
    }

    <T> T timeUnchecked(String step, ThrowingSupplier<T> work) {
      try {
        return time(step, work);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    void reset() {
      steps.clear();
    }

    Map<String, Object> stats() {
      Map<String, Object> result = new LinkedHashMap<>();
      Map<String, Object> bySteps = new LinkedHashMap<>();
      steps.forEach(
          (step, adders) ->
              bySteps.put(
                  step,
                  Map.of("calls", adders[0].sum(), "totalMs", adders[1].sum() / 1_000_000.0)));
      result.put("steps", bySteps);
      MemoryUsage before = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
      System.gc();
      MemoryUsage after = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
      result.put("heapUsedMb", before.getUsed() / 1048576.0);
      result.put("heapCommittedMb", before.getCommitted() / 1048576.0);
      result.put("heapMaxMb", before.getMax() / 1048576.0);
      result.put("heapLiveAfterGcMb", after.getUsed() / 1048576.0);
      result.put("threads", ManagementFactory.getThreadMXBean().getThreadCount());
      return result;
    }

    interface ThrowingSupplier<T> {
      T get() throws Exception;
    }

    // ---- Metrics: one Environment pass

    @Override
    public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
      if (!EnvironmentReconciler.NAME.equals(execution.controllerName())
          || !"reconcile".equals(execution.name())) {
        return execution.execute();
      }
      PASS.set(new int[2]);
      long start = System.nanoTime();
      try {
        return time("pass", execution::execute);
      } finally {
        int[] counts = PASS.get();
        say(
            String.format(
                java.util.Locale.ROOT,
                "pass %s %.1f %d %d",
                execution.resourceID().getName(),
                (System.nanoTime() - start) / 1e6,
                counts[0],
                counts[1]));
      }
    }

    // ---- ControllerInstruments

    @Override
    public Metrics metrics() {
      return this;
    }

    @Override
    public ImageRegistry registry(ImageRegistry registry) {
      return image -> {
        try {
          return time("ensureImages: registry digestOf", () -> registry.digestOf(image));
        } catch (RegistryException | RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      };
    }

    @Override
    public ManifestApplier applier(ManifestApplier applier) {
      return new ManifestApplier() {
        @Override
        public void apply(String namespace, String environment, List<Manifest> manifests)
            throws ApplyException {
          boolean namespaceObjects = IN_NAMESPACE.get();
          if (!namespaceObjects) {
            PASS.get()[1]++;
          }
          timeApply(
              namespaceObjects ? "ensureNamespace: apply objects" : "apply: components",
              () -> {
                applier.apply(namespace, environment, manifests);
                return null;
              });
        }

        @Override
        public List<Manifest.ObjectKey> prune(
            String namespace, String environment, Set<Manifest.ObjectKey> keep)
            throws ApplyException {
          return timeApply("apply: prune", () -> applier.prune(namespace, environment, keep));
        }
      };
    }

    private <T> T timeApply(String step, ThrowingSupplier<T> work)
        throws ManifestApplier.ApplyException {
      try {
        return time(step, work);
      } catch (ManifestApplier.ApplyException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public ReadinessChecker readiness(ReadinessChecker readiness) {
      return (namespace, manifests) ->
          timeUnchecked("awaitReady: check", () -> readiness.check(namespace, manifests));
    }

    @Override
    public ComponentManifests renderer(ComponentManifests renderer) {
      return (ComponentSpec component, RenderContext context) -> {
        try {
          return time("render", () -> renderer.render(component, context));
        } catch (RenderException | RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      };
    }

    @Override
    public EnvironmentNamespaces namespaces(EnvironmentNamespaces namespaces) {
      return new EnvironmentNamespaces() {
        @Override
        public String nameFor(Environment environment, StackSpec spec) {
          return namespaces.nameFor(environment, spec);
        }

        @Override
        public Ensured ensure(
            Environment environment,
            StackSpec spec,
            String namespace,
            Optional<IngressTarget> ingressTarget)
            throws ManifestApplier.ApplyException {
          IN_NAMESPACE.set(true);
          try {
            return timeApply(
                "ensureNamespace",
                () -> namespaces.ensure(environment, spec, namespace, ingressTarget));
          } finally {
            IN_NAMESPACE.set(false);
          }
        }

        @Override
        public Teardown delete(String namespace) {
          return timeUnchecked("teardown", () -> namespaces.delete(namespace));
        }
      };
    }

    @Override
    public EnvironmentStatusWriter writer(KubernetesClient client, Clock clock) {
      return new EnvironmentStatusWriter(client, clock) {
        @Override
        Environment write(Environment environment, StatusDraft draft) {
          long start = System.nanoTime();
          Environment stored = super.write(environment, draft);
          boolean written = stored != environment;
          if (written) {
            PASS.get()[0]++;
          }
          record(
              written ? "status write: stored" : "status write: unchanged, skipped",
              System.nanoTime() - start);
          return stored;
        }
      };
    }
  }
}

package dev.branchyard.lifecycle;

import static org.awaitility.Awaitility.await;

import dev.branchyard.build.ImageRef;
import dev.branchyard.build.OciRegistryClient;
import dev.branchyard.build.RegistryException;
import dev.branchyard.platform.ClusterManifests;
import dev.branchyard.spec.SourceSnapshot;
import dev.branchyard.spec.SpecCatalog;
import dev.branchyard.spec.SpecParseResult;
import dev.branchyard.spec.SpecParser;
import dev.branchyard.testing.GitHttpServer;
import dev.branchyard.testing.LocalPlatform;
import dev.branchyard.testing.TestBuildConfig;
import dev.branchyard.testing.TestGitConfig;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;
import org.assertj.core.api.Assertions;

/**
 * What the lifecycle ITs share: a home namespace on the real control plane with the CRDs, three git
 * repositories served over HTTP (a web app whose pull request branch has three commits, an api on
 * main, an infra repo whose tag v1.0.0 holds a Helm chart), a spec catalog holding the {@code e2e}
 * stack, the templates directory, and the platform's registry.
 */
final class LifecycleFixture implements ControllerSetup, AutoCloseable {

  // As root, containers/image writes this cache whatever --root says (see scripts/registry.sh).
  private static final Path BLOB_INFO_CACHE =
      Path.of("/var/lib/containers/cache/blob-info-cache-v1.boltdb");
  static final String PR_BRANCH = "feature/checkout";
  private static final Path FIXTURES = Path.of("src/test/resources/fixtures/lifecycle");

  private final LocalPlatform platform;
  private final KubernetesClient admin;
  private final KubernetesClient client;
  private final String home;
  private final Path scratch;
  private final GitHttpServer git;
  private final List<String> webCommits;
  private final String apiMain;
  private final String infraTag;
  private final SpecCatalog catalog;
  private final Path templates;
  private final boolean hadBlobInfoCache;
  private final List<LifecycleHarness> harnesses = new ArrayList<>();

  private LifecycleFixture(
      LocalPlatform platform,
      KubernetesClient admin,
      KubernetesClient client,
      String home,
      Path scratch,
      GitHttpServer git,
      List<String> webCommits,
      String apiMain,
      String infraTag,
      SpecCatalog catalog,
      Path templates,
      boolean hadBlobInfoCache) {
    this.platform = platform;
    this.admin = admin;
    this.client = client;
    this.home = home;
    this.scratch = scratch;
    this.git = git;
    this.webCommits = webCommits;
    this.apiMain = apiMain;
    this.infraTag = infraTag;
    this.catalog = catalog;
    this.templates = templates;
    this.hadBlobInfoCache = hadBlobInfoCache;
  }

  static LifecycleFixture start(LocalPlatform platform, KubernetesClient admin, String prefix)
      throws IOException {
    return start(platform, admin, prefix, Map.of());
  }

  /**
   * @param specEdits text replacements applied to the {@code e2e} spec (e.g. a lower limit)
   */
  static LifecycleFixture start(
      LocalPlatform platform, KubernetesClient admin, String prefix, Map<String, String> specEdits)
      throws IOException {
    boolean hadBlobInfoCache = Files.exists(BLOB_INFO_CACHE);
    ClusterManifests.installCrds(admin, platform.projectDir());
    String home = prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
    admin
        .resource(new NamespaceBuilder().withNewMetadata().withName(home).endMetadata().build())
        .create();
    Config config = platform.clientConfig();
    config.setNamespace(home);
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();

    // Short: buildah's run-state paths under the work dir must fit socket path limits.
    Path scratch = Files.createTempDirectory(Path.of("/tmp"), "by-lc-");
    GitHttpServer git = GitHttpServer.start(Files.createDirectories(scratch.resolve("git")));
    var web = git.createRepository("acme/web");
    web.commit("main", Map.of("Dockerfile", dockerfile(), "hello.txt", "web main\n"), "main");
    List<String> webCommits = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      webCommits.add(
          web.commit(
              PR_BRANCH,
              Map.of("Dockerfile", dockerfile(), "hello.txt", "web change " + i + "\n"),
              "change " + i));
    }
    var api = git.createRepository("acme/api");
    String apiMain =
        api.commit("main", Map.of("Dockerfile", dockerfile(), "hello.txt", "api\n"), "api");
    var infra = git.createRepository("acme/infra");
    Map<String, String> chart = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(FIXTURES.resolve("chart"))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        chart.put(
            "chart/" + FIXTURES.resolve("chart").relativize(file).toString(),
            Files.readString(file));
      }
    }
    String infraTag = infra.commit("main", chart, "db chart");
    infra.lightweightTag("v1.0.0", infraTag);

    Path templates = FIXTURES.resolve("templates").toAbsolutePath();
    SpecCatalog catalog = new SpecCatalog(Clock.systemUTC());
    String e2e = Files.readString(FIXTURES.resolve("e2e.yaml"));
    for (Map.Entry<String, String> edit : specEdits.entrySet()) {
      Assertions.assertThat(e2e).contains(edit.getKey());
      e2e = e2e.replace(edit.getKey(), edit.getValue());
    }
    String broken =
        e2e.replace("name: e2e\n", "name: e2e-broken\n")
            .replace("deploy: {manifests: e2e/api}", "deploy: {manifests: e2e/broken}");
    SpecParser parser = new SpecParser();
    List<SpecParseResult> parsed =
        List.of(parser.parse("e2e.yaml", e2e), parser.parse("e2e-broken.yaml", broken));
    for (SpecParseResult result : parsed) {
      Assertions.assertThat(result).isInstanceOf(SpecParseResult.Valid.class);
    }
    catalog.apply("test", SourceSnapshot.atRevision("r1", parsed));
    return new LifecycleFixture(
        platform,
        admin,
        client,
        home,
        scratch,
        git,
        List.copyOf(webCommits),
        apiMain,
        infraTag,
        catalog,
        templates,
        hadBlobInfoCache);
  }

  private static String dockerfile() {
    return "FROM scratch\nCOPY hello.txt /hello.txt\n";
  }

  /** Starts one controller replica (ImageBuild + Environment controllers) for this fixture. */
  LifecycleHarness startController(String identity) {
    LifecycleHarness harness = LifecycleHarness.start(this, identity, false);
    harnesses.add(harness);
    return harness;
  }

  /** Starts a replica that takes part in leader election on a short lease. */
  LifecycleHarness startElectedController(String identity) {
    LifecycleHarness harness = LifecycleHarness.start(this, identity, true);
    harnesses.add(harness);
    return harness;
  }

  /** Stops every replica this fixture started. */
  void stopControllers() {
    harnesses.forEach(LifecycleHarness::close);
  }

  LocalPlatform platform() {
    return platform;
  }

  KubernetesClient admin() {
    return admin;
  }

  /** A client whose namespace is the home namespace. */
  KubernetesClient client() {
    return client;
  }

  @Override
  public Config clientConfig() {
    return client.getConfiguration();
  }

  @Override
  public String registry() {
    return platform.registry();
  }

  /** ITs: every check asks the registry. */
  @Override
  public Duration registryCacheTtl() {
    return Duration.ZERO;
  }

  @Override
  public String home() {
    return home;
  }

  /** Environment namespaces of this fixture start with it, so runs and classes never collide. */
  @Override
  public String namespacePrefix() {
    return "by-" + home.substring(home.length() - 6) + "-";
  }

  Path scratch() {
    return scratch;
  }

  GitHttpServer git() {
    return git;
  }

  @Override
  public SpecCatalog catalog() {
    return catalog;
  }

  @Override
  public Path templates() {
    return templates;
  }

  @Override
  public TestGitConfig gitConfig() {
    return TestGitConfig.defaults().withGithubBaseUrl(git.baseUrl()).withCacheTtl(Duration.ZERO);
  }

  @Override
  public TestBuildConfig buildConfig() {
    try {
      return TestBuildConfig.defaults()
          .withRegistry(platform.registry(), true, null, null)
          .withLocalWorkDir(Files.createDirectories(scratch.resolve("w")))
          .withTimeout(Duration.ofMinutes(2));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String webCommit(int index) {
    return webCommits.get(index);
  }

  String apiMain() {
    return apiMain;
  }

  String infraTag() {
    return infraTag;
  }

  NonNamespaceOperation<Environment, KubernetesResourceList<Environment>, Resource<Environment>>
      environments() {
    return client.resources(Environment.class).inNamespace(home);
  }

  String createEnvironment(String name, int pr, String headSha) {
    return createEnvironment(name, pr, headSha, "e2e");
  }

  String createEnvironment(String name, int pr, String headSha, String spec) {
    Trigger trigger =
        new Trigger(
            TriggerSource.PullRequest,
            "acme/web",
            pr,
            PR_BRANCH,
            "main",
            headSha,
            "octocat",
            false);
    environments()
        .resource(new Environment(name, new EnvironmentSpec(spec, trigger, null)))
        .create();
    return name;
  }

  /**
   * Moves the environment to {@code headSha}, as a push would; retried when the controller's status
   * write lands between this edit's read and its write (the edit carries the read resourceVersion).
   */
  void updateHeadSha(String name, String headSha) {
    for (int conflicts = 0; ; conflicts++) {
      try {
        editHeadSha(name, headSha);
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || conflicts >= 10) {
          throw e;
        }
      }
    }
  }

  private void editHeadSha(String name, String headSha) {
    environments()
        .withName(name)
        .edit(
            env -> {
              Trigger t = env.getSpec().trigger();
              env.setSpec(
                  new EnvironmentSpec(
                      env.getSpec().specName(),
                      new Trigger(
                          t.source(),
                          t.repo(),
                          t.pullRequest(),
                          t.branch(),
                          t.baseBranch(),
                          headSha,
                          t.requestedBy(),
                          t.fork()),
                      env.getSpec().ttl()));
              return env;
            });
  }

  /** Waits for {@code phase}; fails at once, with the status, on another final phase. */
  Environment awaitPhase(String name, EnvironmentPhase phase, Duration atMost) {
    return await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              Environment env = environments().withName(name).get();
              EnvironmentStatus status = env == null ? null : env.getStatus();
              if (status != null
                  && phase != EnvironmentPhase.Failed
                  && status.phase() == EnvironmentPhase.Failed
                  && Objects.equals(
                      status.observedGeneration(), env.getMetadata().getGeneration())) {
                throw new AssertionError(name + " failed: " + status.message());
              }
              return env;
            },
            env ->
                env != null
                    && env.getStatus() != null
                    && env.getStatus().phase() == phase
                    && Objects.equals(
                        env.getStatus().observedGeneration(), env.getMetadata().getGeneration()));
  }

  /** Waits until the environment is Ready with {@code webSha} deployed for the web component. */
  Environment awaitReadyAt(String name, String webSha, Duration atMost) {
    return await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> environments().withName(name).get(),
            env ->
                env != null
                    && env.getStatus() != null
                    && env.getStatus().phase() == EnvironmentPhase.Ready
                    && env.getStatus().resolvedRefs().stream()
                        .anyMatch(r -> r.component().equals("web") && r.sha().equals(webSha)));
  }

  boolean registryHas(String image) {
    try {
      return new OciRegistryClient(buildConfig().withCacheTtl(Duration.ZERO), Clock.systemUTC())
          .digestOf(ImageRef.parse(image.replaceFirst("@.*$", "")))
          .isPresent();
    } catch (RegistryException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      for (LifecycleHarness harness : harnesses) {
        harness.close();
      }
      LifecycleHarness.releaseFinalizers(client, home);
      // Environment namespaces first (not awaited), then the home namespace.
      admin
          .namespaces()
          .withLabel(dev.branchyard.deploy.EnvironmentLabels.HOME_NAMESPACE, home)
          .delete();
      admin.namespaces().withName(home).delete();
      client.close();
      git.close();
    } finally {
      try {
        if (!hadBlobInfoCache) {
          Files.deleteIfExists(BLOB_INFO_CACHE);
        }
        deleteTree(scratch);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}

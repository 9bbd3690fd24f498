package dev.branchyard.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.branchyard.git.JGitCheckout;
import dev.branchyard.platform.ClusterManifests;
import dev.branchyard.testing.GitHttpServer;
import dev.branchyard.testing.LocalPlatform;
import dev.branchyard.testing.LocalPlatformExtension;
import dev.branchyard.testing.LocalRegistry;
import dev.branchyard.testing.TestBuildConfig;
import dev.branchyard.testing.TestGitConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The ImageBuild controller end to end: java-operator-sdk watching a real API server, the registry
 * client against a real registry, the local buildah backend building commits of a repository served
 * over HTTP, statuses written through the status subresource.
 */
@ExtendWith(LocalPlatformExtension.class)
class ImageBuildControllerIT {

  // As root, containers/image writes this cache whatever --root says (see scripts/registry.sh).
  private static final Path BLOB_INFO_CACHE =
      Path.of("/var/lib/containers/cache/blob-info-cache-v1.boltdb");
  private static final String SECRET = "s3cr3t-Kp27";
  private static final Duration WAIT = Duration.ofMinutes(2);

  private static boolean hadBlobInfoCache;
  private static Path scratch;
  private static LocalRegistry registry;
  private static GitHttpServer git;
  private static String goodCommit;
  private static String secondCommit;
  private static String brokenCommit;
  private static String slowCommit;
  private static KubernetesClient client;
  private static String namespace;
  private static ControllerHarness controller;
  private static final AtomicInteger builds = new AtomicInteger();
  private static ConfigMapBuildLogStore logs;
  private static int downRegistryPort;

  @BeforeAll
  static void start(LocalPlatform platform, KubernetesClient admin) throws IOException {
    hadBlobInfoCache = Files.exists(BLOB_INFO_CACHE);
    ClusterManifests.installCrds(admin, platform.projectDir());
    namespace = "ib-" + UUID.randomUUID().toString().substring(0, 8);
    admin
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    Config config = platform.clientConfig();
    config.setNamespace(namespace);
    client = new KubernetesClientBuilder().withConfig(config).build();

    // Short: buildah's run-state paths under the work dir must fit socket path limits.
    scratch = Files.createTempDirectory(Path.of("/tmp"), "by-ib-");
    registry = LocalRegistry.start();
    git = GitHttpServer.start(Files.createDirectories(scratch.resolve("git")));
    var repo = git.createRepository("acme/web");
    goodCommit =
        repo.commit(
            "main",
            Map.of(
                "Dockerfile",
                "FROM scratch\nARG TOKEN\nCOPY hello.txt /hello.txt\n",
                "hello.txt",
                "hello\n"),
            "buildable");
    secondCommit =
        repo.commit(
            "main",
            Map.of(
                "Dockerfile",
                "FROM scratch\nCOPY hello.txt /hello.txt\n",
                "hello.txt",
                "hello again\n"),
            "second");
    brokenCommit =
        repo.commit(
            "broken",
            Map.of("Dockerfile", "FROM scratch\nARG TOKEN\nCOPY missing-${TOKEN} /\n"),
            "copies a file that is not there");
    String big = "0123456789abcdef".repeat(256 * 1024);
    StringBuilder slow = new StringBuilder("FROM scratch\n");
    for (int i = 0; i < 200; i++) {
      slow.append("COPY big.txt /copy-").append(i).append(".txt\n");
    }
    slowCommit =
        repo.commit(
            "slow", Map.of("Dockerfile", slow.toString(), "big.txt", big), "many big copies");
    try (ServerSocket socket = new ServerSocket(0)) {
      downRegistryPort = socket.getLocalPort();
    }

    TestBuildConfig buildConfig =
        TestBuildConfig.defaults()
            .withLocalWorkDir(Files.createDirectories(scratch.resolve("w")))
            .withTimeout(Duration.ofSeconds(20));
    LocalBuildahBuilder buildah =
        new LocalBuildahBuilder(
            new JGitCheckout(TestGitConfig.defaults().withGithubBaseUrl(git.baseUrl())),
            buildConfig,
            Clock.systemUTC());
    ImageBuilder counting =
        (request, log) -> {
          builds.incrementAndGet();
          return buildah.build(request, log);
        };
    controller =
        new ControllerHarness(
            client,
            new OciRegistryClient(buildConfig.withCacheTtl(Duration.ZERO), Clock.systemUTC()),
            counting,
            buildConfig,
            ControllerHarness.quickSettings());
    logs = controller.logs();
  }

  @AfterAll
  static void stop(KubernetesClient admin) throws IOException {
    try {
      if (controller != null) {
        controller.close();
      }
      if (namespace != null) {
        admin.namespaces().withName(namespace).delete();
      }
      if (client != null) {
        client.close();
      }
      if (git != null) {
        git.close();
      }
      if (registry != null) {
        registry.close();
      }
    } finally {
      if (!hadBlobInfoCache) {
        Files.deleteIfExists(BLOB_INFO_CACHE);
        deleteIfEmpty(BLOB_INFO_CACHE.getParent());
        deleteIfEmpty(BLOB_INFO_CACHE.getParent().getParent());
      }
      deleteTree(scratch);
    }
  }

  private static ImageBuildSpec spec(String commit, String tag, List<BuildArg> args) {
    return spec(registry.address(), commit, tag, args);
  }

  private static ImageBuildSpec spec(
      String registryAddress, String commit, String tag, List<BuildArg> args) {
    return new ImageBuildSpec(
        "acme/web",
        commit,
        null,
        null,
        args,
        registryAddress + "/branchyard/acme/web:" + commit + "-" + tag);
  }

  private static ConfigMap owner(String name) {
    return client
        .resource(new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
  }

  /** Waits for one of {@code phases}; fails at once, with the status, on another final phase. */
  private static ImageBuild awaitPhase(String name, ImageBuildPhase... phases) {
    List<ImageBuildPhase> wanted = List.of(phases);
    return await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              ImageBuild current = client.resources(ImageBuild.class).withName(name).get();
              ImageBuildStatus status = current == null ? null : current.getStatus();
              if (status != null
                  && BuildStatuses.isFinal(status)
                  && !wanted.contains(status.phase())) {
                throw new AssertionError(
                    "ImageBuild " + name + " ended " + status + " while waiting for " + wanted);
              }
              return status != null && wanted.contains(status.phase()) ? current : null;
            },
            java.util.Objects::nonNull);
  }

  @Test
  void buildsAnImageOnceAndSkipsItWhenTheSameInputsAreAskedForAgain() throws Exception {
    ImageBuildRequests requests = new ImageBuildRequests(client);
    ImageBuild requested = requests.request(owner("env-first"), spec(goodCommit, "once", null));
    int before = builds.get();

    ImageBuild built = awaitPhase(requested.getMetadata().getName(), ImageBuildPhase.Succeeded);

    assertThat(builds.get() - before).isEqualTo(1);
    assertThat(built.getStatus().digest()).startsWith("sha256:");
    assertThat(built.getStatus().attempts()).isEqualTo(1);
    assertThat(built.getStatus().finishedAt()).isNotNull();
    assertThat(built.getMetadata().getFinalizers()).isNotEmpty();

    // The build is gone (say, pruned); a new request for the same inputs finds the image.
    client.resource(built).delete();
    await()
        .atMost(WAIT)
        .until(
            () ->
                client.resources(ImageBuild.class).withName(built.getMetadata().getName()).get()
                    == null);
    ImageBuild again = requests.request(owner("env-second"), spec(goodCommit, "once", null));
    ImageBuild skipped = awaitPhase(again.getMetadata().getName(), ImageBuildPhase.Skipped);

    assertThat(skipped.getStatus().digest()).isEqualTo(built.getStatus().digest());
    assertThat(builds.get() - before).isEqualTo(1);
  }

  @Test
  void anEnvironmentGetsImagesTheRegistryHasAtOnceAndBuildsOnlyTheMissingOne() throws Exception {
    String present = registry.address() + "/branchyard/acme/present:" + goodCommit + "-env";
    String digest = registry.pushScratchImage(present, "present\n");
    ImageBuildSpec missing = spec(goodCommit, "env-missing", null);
    ConfigMap environment = owner("env-plan");
    try (EnvironmentImages images =
        new EnvironmentImages(
            new OciRegistryClient(TestBuildConfig.defaults(), Clock.systemUTC()),
            new ImageBuildRequests(client))) {

      List<EnvironmentImages.ImageState> states =
          images.ensure(
              environment,
              List.of(
                  new ImageBuildSpec("acme/present", goodCommit, null, null, null, present),
                  missing));

      assertThat(states.get(0))
          .isEqualTo(new EnvironmentImages.ImageState.Available(present, digest));
      assertThat(states.get(1))
          .isEqualTo(
              new EnvironmentImages.ImageState.Requested(
                  missing.image(), ImageBuildRequests.nameFor(missing.image())));
      assertThat(client.resources(ImageBuild.class).list().getItems())
          .extracting(b -> b.getSpec().image())
          .doesNotContain(present);
      ImageBuild built =
          awaitPhase(ImageBuildRequests.nameFor(missing.image()), ImageBuildPhase.Succeeded);
      assertThat(built.getMetadata().getOwnerReferences())
          .extracting(o -> o.getUid())
          .containsExactly(environment.getMetadata().getUid());
    }
  }

  @Test
  void tenEnvironmentsAskingForOneImageAtOnceShareOneBuild() throws Exception {
    ImageBuildRequests requests = new ImageBuildRequests(client);
    List<ConfigMap> owners = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      owners.add(owner("env-shared-" + i));
    }
    ImageBuildSpec spec = spec(secondCommit, "shared", null);
    int before = builds.get();
    ExecutorService threads = Executors.newFixedThreadPool(10);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<ImageBuild>> answers = new ArrayList<>();
    for (ConfigMap owner : owners) {
      answers.add(
          threads.submit(
              () -> {
                go.await();
                return requests.request(owner, spec);
              }));
    }
    go.countDown();
    List<String> names = new ArrayList<>();
    for (Future<ImageBuild> answer : answers) {
      names.add(answer.get(1, TimeUnit.MINUTES).getMetadata().getName());
    }
    threads.shutdown();

    assertThat(names).containsOnly(ImageBuildRequests.nameFor(spec.image()));
    ImageBuild done = awaitPhase(names.get(0), ImageBuildPhase.Succeeded);
    assertThat(done.getMetadata().getOwnerReferences()).hasSize(10);
    assertThat(builds.get() - before).isEqualTo(1);
    assertThat(client.resources(ImageBuild.class).list().getItems())
        .filteredOn(b -> b.getSpec().image().equals(spec.image()))
        .hasSize(1);
  }

  @Test
  void aBrokenDockerfileFailsWithTheBuildahErrorAndTheSecretMasked() {
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("npm")
                .endMetadata()
                .withStringData(Map.of("token", SECRET))
                .build())
        .create();
    ImageBuild build =
        client
            .resource(
                new ImageBuild(
                    "broken",
                    spec(
                        brokenCommit,
                        "broken",
                        List.of(
                            new BuildArg(
                                "TOKEN", null, new BuildArg.SecretKeyRef("npm", "token"))))))
            .create();
    int before = builds.get();

    ImageBuild failed = awaitPhase(build.getMetadata().getName(), ImageBuildPhase.Failed);

    assertThat(failed.getStatus().reason()).isEqualTo("BuildFailed");
    assertThat(failed.getStatus().message())
        .contains("buildah bud failed", "missing-***")
        .doesNotContain(SECRET);
    assertThat(builds.get() - before).as("a failing Dockerfile is not retried").isEqualTo(1);
    String log = logs.read(build.getMetadata().getName());
    assertThat(log).contains("missing-***").doesNotContain(SECRET);
    assertThat(failed.getStatus().logRef()).isEqualTo("configmap/broken-log");
    assertThat(client.resource(failed).get().toString()).doesNotContain(SECRET);
    assertThat(client.v1().events().inNamespace(namespace).list().getItems())
        .noneMatch(event -> String.valueOf(event.getMessage()).contains(SECRET));
  }

  @Test
  void aBuildThatTakesTooLongFailsWithTimeoutAndLeavesNoProcessBehind() throws Exception {
    ImageBuild build =
        client.resource(new ImageBuild("too-slow", spec(slowCommit, "slow", null))).create();

    ImageBuild failed = awaitPhase(build.getMetadata().getName(), ImageBuildPhase.Failed);

    assertThat(failed.getStatus().reason()).isEqualTo("TimedOut");
    assertThat(failed.getStatus().message()).containsIgnoringCase("timeout");
    assertThat(buildahProcessesUnder(scratch)).isEmpty();
  }

  @Test
  void aBuildNoEnvironmentNeedsAnyMoreIsCancelledAndItsProcessesStopped() throws Exception {
    ImageBuildRequests requests = new ImageBuildRequests(client);
    ConfigMap owner = owner("env-leaving");
    ImageBuild build = requests.request(owner, spec(slowCommit, "leaving", null));
    String name = build.getMetadata().getName();
    awaitPhase(name, ImageBuildPhase.Building);
    await().atMost(WAIT).until(() -> !buildahProcessesUnder(scratch).isEmpty());

    requests.release(owner, name);

    ImageBuild cancelled = awaitPhase(name, ImageBuildPhase.Cancelled);
    assertThat(cancelled.getStatus().message()).contains("no environment needs this image");
    await().atMost(Duration.ofSeconds(30)).until(() -> buildahProcessesUnder(scratch).isEmpty());
  }

  @Test
  void anUnreachableRegistryKeepsTheBuildPendingWithTheErrorUntilItAnswers() throws Exception {
    String address = "127.0.0.1:" + downRegistryPort;
    ImageBuild build =
        client
            .resource(new ImageBuild("registry-down", spec(address, goodCommit, "down", null)))
            .create();

    ImageBuild pending = awaitPhase(build.getMetadata().getName(), ImageBuildPhase.Pending);
    assertThat(pending.getStatus().reason()).isEqualTo("RegistryUnavailable");
    assertThat(pending.getStatus().message())
        .contains(address, "asking again in")
        .doesNotContainIgnoringCase("not found");

    try (LocalRegistry late = LocalRegistry.start(downRegistryPort)) {
      ImageBuild built = awaitPhase(build.getMetadata().getName(), ImageBuildPhase.Succeeded);
      assertThat(built.getStatus().digest()).startsWith("sha256:");
    }
  }

  private static List<ProcessHandle> buildahProcessesUnder(Path dir) {
    return ProcessHandle.allProcesses()
        .filter(
            p ->
                p.info()
                    .commandLine()
                    .map(c -> c.contains("buildah") && c.contains(dir.toString()))
                    .orElse(false))
        .toList();
  }

  private static void deleteIfEmpty(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      if (entries.findAny().isEmpty()) {
        Files.delete(dir);
      }
    } catch (java.nio.file.NoSuchFileException e) {
      // already gone
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              path -> {
                try {
                  Files.delete(path);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}

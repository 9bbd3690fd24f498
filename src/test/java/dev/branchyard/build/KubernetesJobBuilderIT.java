package dev.branchyard.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.branchyard.build.BuildRequest.Arg;
import dev.branchyard.build.BuildRequest.SecretSource;
import dev.branchyard.build.BuildResult.Failed;
import dev.branchyard.build.BuildResult.Reason;
import dev.branchyard.build.BuildResult.Succeeded;
import dev.branchyard.git.RepoLocator;
import dev.branchyard.testing.LocalPlatformExtension;
import dev.branchyard.testing.TestBuildConfig;
import dev.branchyard.testing.TestBuildConfig.TestJob;
import dev.branchyard.testing.TestGitConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link KubernetesJobBuilder} against the real local control plane: the API server stores the Job
 * as rendered, the Job controller creates its pod (and enforces its deadline), the garbage
 * collector removes the pod of a deleted Job.
 *
 * <p>The hollow node runs no containers: the fetch init container "runs" forever and the build
 * container never starts, so no log streams and no Job completes on its own. Tests that need a
 * finished Job patch its status through the status subresource, as the Job controller would.
 */
@ExtendWith(LocalPlatformExtension.class)
class KubernetesJobBuilderIT {

  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
  private static final String SECRET_VALUE = "s3cr3t-Kq71-never-in-the-job";
  private static final String DIGEST = "sha256:" + "d".repeat(64);
  private static final Duration AWAIT = Duration.ofSeconds(60);

  private static String namespace;
  private static KubernetesClient admin;
  private static KubernetesClient inNamespace;

  private final List<String> lines = new CopyOnWriteArrayList<>();
  private RunningBuild running;

  @BeforeAll
  static void createNamespace(KubernetesClient client) {
    admin = client;
    namespace = "jobs-it-" + UUID.randomUUID().toString().substring(0, 8);
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    // Branchyard's client, whose namespace is "its own".
    inNamespace = client.adapt(NamespacedKubernetesClient.class).inNamespace(namespace);
    client
        .secrets()
        .inNamespace(namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("build-secrets")
                .endMetadata()
                .withStringData(Map.of("token", SECRET_VALUE))
                .build())
        .create();
  }

  @AfterEach
  void stopBuild() throws InterruptedException {
    if (running != null) {
      running.thread().interrupt();
      running.thread().join(TimeUnit.SECONDS.toMillis(30));
    }
  }

  @AfterAll
  static void deleteNamespace() {
    admin.namespaces().withName(namespace).delete();
    await("namespace " + namespace + " deleted")
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofSeconds(2))
        .until(() -> admin.namespaces().withName(namespace).get() == null);
  }

  @Test
  void createsTheJobAsSpecifiedWithTheSecretArgOnlyByReference() {
    ImageRef target = target();
    TestBuildConfig config =
        TestBuildConfig.defaults()
            .withTimeout(Duration.ofMinutes(10))
            .withJob(TestJob.defaults().withRegistrySecret("registry-push"));
    BuildRequest request =
        new BuildRequest(
            "acme/api",
            SHA,
            "docker/Dockerfile",
            "app",
            Map.of(
                "GREETING", Arg.literal("hello"),
                "TOKEN", Arg.secret(SECRET_VALUE, new SecretSource("build-secrets", "token"))),
            target);

    running = start(builder(config, registryWith(target)), request);
    Job job = awaitJob(target);
    Pod pod = awaitPod(job);

    PodSpec spec = job.getSpec().getTemplate().getSpec();
    Container fetch = spec.getInitContainers().get(0);
    Container build = spec.getContainers().get(0);
    assertThat(job.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/part-of", "branchyard")
        .containsEntry("branchyard.dev/component", "image-build");
    assertThat(fetch.getImage()).isEqualTo("docker.io/alpine/git:v2.47.2");
    assertThat(build.getImage()).isEqualTo("quay.io/buildah/stable:v1.38.1");
    assertThat(env(fetch))
        .containsEntry("BRANCHYARD_REPO_URL", "https://github.com/acme/api.git")
        .containsEntry("BRANCHYARD_COMMIT", SHA);
    assertThat(env(build))
        .containsEntry("BRANCHYARD_TARGET", target.reference())
        .containsEntry("BRANCHYARD_DOCKERFILE", "docker/Dockerfile")
        .containsEntry("BRANCHYARD_CONTEXT", "app")
        .containsEntry("REGISTRY_AUTH_FILE", "/etc/branchyard/registry-auth/auth.json");
    assertThat(build.getArgs())
        .containsExactly("--build-arg", "GREETING=hello", "--build-arg", "TOKEN");
    assertThat(build.getEnv())
        .filteredOn(e -> e.getName().equals("TOKEN"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("build-secrets");
              assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("token");
            });
    assertThat(build.getVolumeMounts())
        .filteredOn(m -> m.getMountPath().equals("/etc/branchyard/registry-auth"))
        .singleElement()
        .satisfies(m -> assertThat(m.getReadOnly()).isTrue());
    assertThat(spec.getVolumes())
        .filteredOn(v -> v.getSecret() != null)
        .singleElement()
        .satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("registry-push"));
    assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(600L);
    // Kept because the local platform turns on TTLAfterFinished (on by default from 1.21).
    assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(3600);
    assertThat(job.getSpec().getBackoffLimit()).isZero();
    assertThat(spec.getRestartPolicy()).isEqualTo("Never");

    assertThat(Serialization.asJson(job)).doesNotContain(SECRET_VALUE);
    assertThat(Serialization.asJson(pod)).doesNotContain(SECRET_VALUE);
    assertThat(Serialization.asJson(admin.v1().events().inNamespace(namespace).list().getItems()))
        .doesNotContain(SECRET_VALUE);
    assertThat(lines).noneMatch(line -> line.contains(SECRET_VALUE));
  }

  @Test
  void succeedsWithTheRegistrysDigestOnceTheJobCompletes() throws Exception {
    ImageRef target = target();
    running = start(builder(TestBuildConfig.defaults(), registryWith(target)), request(target));
    Job job = awaitJob(target);

    finish(job, "Complete", null);

    BuildResult result = running.result().get(AWAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(result)
        .isInstanceOfSatisfying(Succeeded.class, s -> assertThat(s.digest()).isEqualTo(DIGEST));
    assertThat(lines)
        .anyMatch(
            l -> l.startsWith("branchyard: started build Job " + job.getMetadata().getName()));
  }

  @Test
  void completedJobWhoseImageIsNotInTheRegistryIsAnInfrastructureFailure() throws Exception {
    ImageRef target = target();
    running =
        start(builder(TestBuildConfig.defaults(), image -> Optional.empty()), request(target));

    finish(awaitJob(target), "Complete", null);

    assertThat(running.result().get(AWAIT.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOfSatisfying(
            Failed.class,
            f -> {
              assertThat(f.reason()).isEqualTo(Reason.INFRASTRUCTURE);
              assertThat(f.message())
                  .startsWith("the build Job succeeded but " + target + " is not in the registry");
            });
  }

  @Test
  void jobPastItsDeadlineIsATimeout() throws Exception {
    // No patch: the Job controller itself fails the Job once activeDeadlineSeconds have passed.
    ImageRef target = target();
    TestBuildConfig config = TestBuildConfig.defaults().withTimeout(Duration.ofSeconds(2));
    running = start(builder(config, registryWith(target)), request(target));

    BuildResult result = running.result().get(AWAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(result)
        .isInstanceOfSatisfying(
            Failed.class,
            f -> {
              assertThat(f.reason()).isEqualTo(Reason.TIMEOUT);
              assertThat(f.message())
                  .startsWith("the build took longer than branchyard.build.timeout=PT2S");
            });
    assertThat(
            admin
                .batch()
                .v1()
                .jobs()
                .inNamespace(namespace)
                .withName(BuildJobSpec.nameOf(target))
                .get())
        .as("a failed Job stays for inspection until its TTL")
        .isNotNull();
  }

  @Test
  void failedJobWithoutAnExplainingContainerIsAnInfrastructureFailure() throws Exception {
    ImageRef target = target();
    running = start(builder(TestBuildConfig.defaults(), registryWith(target)), request(target));

    finish(awaitJob(target), "Failed", "BackoffLimitExceeded");

    assertThat(running.result().get(AWAIT.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOfSatisfying(
            Failed.class,
            f -> {
              assertThat(f.reason()).isEqualTo(Reason.INFRASTRUCTURE);
              assertThat(f.message()).contains("failed (BackoffLimitExceeded");
            });
  }

  @Test
  void interruptingTheBuildDeletesTheJobAndItsPod() throws Exception {
    ImageRef target = target();
    running = start(builder(TestBuildConfig.defaults(), registryWith(target)), request(target));
    Job job = awaitJob(target);
    awaitPod(job);

    running.thread().interrupt();

    assertThat(running.result().get(AWAIT.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOfSatisfying(
            Failed.class, f -> assertThat(f.reason()).isEqualTo(Reason.CANCELLED));
    assertThat(running.interruptedAfterwards()).as("interrupt flag restored").isTrue();
    await("job and pod deleted")
        .atMost(AWAIT)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                admin
                            .batch()
                            .v1()
                            .jobs()
                            .inNamespace(namespace)
                            .withName(job.getMetadata().getName())
                            .get()
                        == null
                    && podsOf(job).isEmpty());
  }

  @Test
  void followsARunningJobOfTheSameImageInsteadOfCreatingAnother() throws Exception {
    ImageRef target = target();
    BuildRequest request = request(target);
    // As a Branchyard that restarted mid-build would find it.
    Job earlier =
        admin
            .batch()
            .v1()
            .jobs()
            .inNamespace(namespace)
            .resource(
                new BuildJobSpec(TestBuildConfig.defaults(), namespace)
                    .render(request, "https://github.com/acme/api.git"))
            .create();

    running = start(builder(TestBuildConfig.defaults(), registryWith(target)), request);
    await("builder follows the earlier Job")
        .atMost(AWAIT)
        .until(() -> lines.stream().anyMatch(l -> l.contains("started earlier")));
    finish(earlier, "Complete", null);

    assertThat(running.result().get(AWAIT.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(Succeeded.class);
    assertThat(buildJobs(target))
        .singleElement()
        .satisfies(
            j -> assertThat(j.getMetadata().getUid()).isEqualTo(earlier.getMetadata().getUid()));
    assertThat(lines).noneMatch(l -> l.contains("started build Job"));
  }

  @Test
  void replacesAFinishedJobOfTheSameImageWithAFreshOne() throws Exception {
    ImageRef target = target();
    BuildRequest request = request(target);
    Job earlier =
        admin
            .batch()
            .v1()
            .jobs()
            .inNamespace(namespace)
            .resource(
                new BuildJobSpec(TestBuildConfig.defaults(), namespace)
                    .render(request, "https://github.com/acme/api.git"))
            .create();
    finish(earlier, "Failed", "BackoffLimitExceeded");

    running = start(builder(TestBuildConfig.defaults(), registryWith(target)), request);
    Job fresh =
        await("a fresh Job")
            .atMost(AWAIT)
            .until(
                () ->
                    buildJobs(target).stream()
                        .filter(
                            j -> !j.getMetadata().getUid().equals(earlier.getMetadata().getUid()))
                        .findFirst(),
                Optional::isPresent)
            .orElseThrow();
    finish(fresh, "Complete", null);

    assertThat(running.result().get(AWAIT.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(Succeeded.class);
    assertThat(buildJobs(target))
        .singleElement()
        .satisfies(
            j -> assertThat(j.getMetadata().getUid()).isEqualTo(fresh.getMetadata().getUid()));
  }

  @Test
  void deletesAJobThatOutlivesTheTimeoutAndReportsATimeout() throws Exception {
    ImageRef target = target();
    BuildRequest request = request(target);
    // An earlier Branchyard's Job with a far longer deadline: only Branchyard's own deadline
    // (timeout plus grace) ends this build.
    Job earlier =
        admin
            .batch()
            .v1()
            .jobs()
            .inNamespace(namespace)
            .resource(
                new JobBuilder(
                        new BuildJobSpec(TestBuildConfig.defaults(), namespace)
                            .render(request, "https://github.com/acme/api.git"))
                    .editSpec()
                    .withActiveDeadlineSeconds(3600L)
                    .endSpec()
                    .build())
            .create();
    TestBuildConfig config = TestBuildConfig.defaults().withTimeout(Duration.ofSeconds(1));
    KubernetesJobBuilder builder =
        new KubernetesJobBuilder(
            inNamespace,
            registryWith(target),
            new RepoLocator(TestGitConfig.defaults()),
            config,
            Clock.systemUTC(),
            Duration.ofSeconds(1));

    running = start(builder, request);

    assertThat(running.result().get(AWAIT.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOfSatisfying(
            Failed.class,
            f -> {
              assertThat(f.reason()).isEqualTo(Reason.TIMEOUT);
              assertThat(f.message()).contains("had not ended and was deleted");
            });
    await("overdue Job deleted")
        .atMost(AWAIT)
        .until(
            () ->
                admin
                        .batch()
                        .v1()
                        .jobs()
                        .inNamespace(namespace)
                        .withName(earlier.getMetadata().getName())
                        .get()
                    == null);
  }

  private KubernetesJobBuilder builder(TestBuildConfig config, ImageRegistry registry) {
    return new KubernetesJobBuilder(
        inNamespace,
        registry,
        new RepoLocator(TestGitConfig.defaults()),
        config,
        Clock.systemUTC());
  }

  /** An in-test registry port that knows one image; the registry client has its own ITs. */
  private static ImageRegistry registryWith(ImageRef image) {
    return asked -> asked.equals(image) ? Optional.of(DIGEST) : Optional.empty();
  }

  private static ImageRef target() {
    return new ImageRef(
        "registry.example.com",
        "acme/api",
        SHA + "-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
  }

  private static BuildRequest request(ImageRef target) {
    return new BuildRequest("acme/api", SHA, "Dockerfile", ".", Map.of(), target);
  }

  private RunningBuild start(KubernetesJobBuilder builder, BuildRequest request) {
    CompletableFuture<BuildResult> result = new CompletableFuture<>();
    AtomicBoolean interrupted = new AtomicBoolean();
    Thread thread =
        new Thread(
            () -> {
              try {
                BuildResult built = builder.build(request, lines::add);
                interrupted.set(Thread.currentThread().isInterrupted());
                result.complete(built);
              } catch (RuntimeException e) {
                result.completeExceptionally(e);
              }
            },
            "it-build");
    thread.start();
    return new RunningBuild(thread, result, interrupted);
  }

  private static Job awaitJob(ImageRef target) {
    String name = BuildJobSpec.nameOf(target);
    return await("Job " + name)
        .atMost(AWAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> admin.batch().v1().jobs().inNamespace(namespace).withName(name).get(),
            j -> j != null);
  }

  private static Pod awaitPod(Job job) {
    return await("pod of " + job.getMetadata().getName())
        .atMost(AWAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> podsOf(job), pods -> !pods.isEmpty())
        .get(0);
  }

  private static List<Pod> podsOf(Job job) {
    return admin
        .pods()
        .inNamespace(namespace)
        .withLabel("controller-uid", job.getMetadata().getUid())
        .list()
        .getItems();
  }

  /** The build Jobs of {@code target} not being deleted; other tests' Jobs share the namespace. */
  private static List<Job> buildJobs(ImageRef target) {
    return admin
        .batch()
        .v1()
        .jobs()
        .inNamespace(namespace)
        .withLabels(BuildJobSpec.LABELS)
        .list()
        .getItems()
        .stream()
        .filter(j -> j.getMetadata().getDeletionTimestamp() == null)
        .filter(
            j ->
                target
                    .reference()
                    .equals(j.getMetadata().getAnnotations().get("branchyard.dev/image")))
        .toList();
  }

  /**
   * Ends {@code job} through the status subresource, as the Job controller would once its pod
   * ended: the hollow node never runs the containers that would end it. Retried on conflicts with
   * the controller's own status updates.
   */
  private static void finish(Job job, String type, String reason) {
    String now = Instant.now().toString();
    await("status of " + job.getMetadata().getName() + " set to " + type)
        .atMost(AWAIT)
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(
            () -> {
              admin
                  .batch()
                  .v1()
                  .jobs()
                  .inNamespace(namespace)
                  .withName(job.getMetadata().getName())
                  .editStatus(
                      current ->
                          new JobBuilder(current)
                              .editOrNewStatus()
                              .withActive(0)
                              .withSucceeded(type.equals("Complete") ? 1 : 0)
                              .withFailed(type.equals("Failed") ? 1 : 0)
                              .withCompletionTime(type.equals("Complete") ? now : null)
                              .addNewCondition()
                              .withType(type)
                              .withStatus("True")
                              .withReason(reason)
                              .withLastProbeTime(now)
                              .withLastTransitionTime(now)
                              .endCondition()
                              .endStatus()
                              .build());
              return true;
            });
  }

  private static Map<String, String> env(Container container) {
    return container.getEnv().stream()
        .filter(e -> e.getValue() != null)
        .collect(java.util.stream.Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }

  /** A build running on its own thread, as the queue will run it. */
  private record RunningBuild(
      Thread thread, CompletableFuture<BuildResult> result, AtomicBoolean interruptedFlag) {

    boolean interruptedAfterwards() {
      return interruptedFlag.get();
    }
  }
}

package dev.branchyard.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.branchyard.build.BuildResult.Failed;
import dev.branchyard.build.BuildResult.Reason;
import dev.branchyard.build.BuildResult.Succeeded;
import dev.branchyard.testing.MutableClock;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link BuildCoordinator} with in-memory ports: what happens to a build at each step. */
class BuildCoordinatorTest {

  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";
  private static final String SECRET = "hunter2-value";

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00Z"));
  private final Map<String, String> registryImages = new ConcurrentHashMap<>();
  private final AtomicReference<RegistryException> registryDown = new AtomicReference<>();
  private final AtomicInteger registryQuestions = new AtomicInteger();
  private final ScriptedBuilder builder = new ScriptedBuilder();
  private final List<ImageBuildStatus> written = new CopyOnWriteArrayList<>();
  private final Map<String, String> secrets = new ConcurrentHashMap<>();
  private List<String> logLines = List.of();
  private BuildCoordinator coordinator;

  @AfterEach
  void close() {
    builder.releaseAll();
    if (coordinator != null) {
      coordinator.close();
    }
  }

  private BuildCoordinator coordinator(int concurrency, int maxAttempts) {
    ImageRegistry registry =
        image -> {
          registryQuestions.incrementAndGet();
          RegistryException down = registryDown.get();
          if (down != null) {
            throw down;
          }
          return Optional.ofNullable(registryImages.get(image.reference()));
        };
    InMemoryBuildLogs logs = new InMemoryBuildLogs();
    logLines = logs.lines;
    coordinator =
        new BuildCoordinator(
            registry,
            builder,
            (build, status) -> written.add(status),
            (name, key) -> Optional.ofNullable(secrets.get(name + "/" + key)),
            logs,
            new BuildCoordinator.Settings(
                concurrency, maxAttempts, Duration.ofMillis(20), Duration.ofSeconds(15)),
            clock);
    return coordinator;
  }

  private static ImageBuild build(String name, List<BuildArg> args) {
    ImageBuild build =
        new ImageBuild(
            name,
            new ImageBuildSpec(
                "http://git.example/acme/" + name + ".git",
                SHA,
                null,
                null,
                args,
                "registry.example:5000/acme/" + name + ":" + SHA + "-abc123"));
    build.getMetadata().setUid("uid-" + name);
    build.getMetadata().setGeneration(1L);
    build.getMetadata().setNamespace("branchyard");
    return build;
  }

  private static ImageBuild build(String name) {
    return build(name, List.of());
  }

  private static ImageBuild ownedBuild(String name, int owners) {
    ImageBuild build = build(name);
    build.getMetadata().setLabels(Map.of(ImageBuildRequests.LIFETIME_LABEL, "while-owned"));
    List<io.fabric8.kubernetes.api.model.OwnerReference> references = new ArrayList<>();
    for (int i = 0; i < owners; i++) {
      references.add(
          new OwnerReferenceBuilder()
              .withApiVersion("branchyard.dev/v1alpha1")
              .withKind("Environment")
              .withName("env-" + i)
              .withUid("env-uid-" + i)
              .build());
    }
    build.getMetadata().setOwnerReferences(references);
    return build;
  }

  private ImageBuildStatus last() {
    return written.get(written.size() - 1);
  }

  private List<ImageBuildPhase> phases() {
    return written.stream().map(ImageBuildStatus::phase).toList();
  }

  private void awaitPhase(ImageBuildPhase phase) {
    await()
        .atMost(5, TimeUnit.SECONDS)
        .untilAsserted(() -> assertThat(last().phase()).isEqualTo(phase));
  }

  @Test
  void anImageAlreadyInTheRegistryIsSkippedWithoutStartingABuilder() {
    coordinator(2, 3);
    ImageBuild build = build("api");
    registryImages.put(build.getSpec().image(), "sha256:aaa");

    Optional<Duration> again = coordinator.reconcile(build);

    assertThat(again).isEmpty();
    assertThat(builder.calls).hasValue(0);
    assertThat(last().phase()).isEqualTo(ImageBuildPhase.Skipped);
    assertThat(last().digest()).isEqualTo("sha256:aaa");
    assertThat(last().reason()).isEqualTo("AlreadyInRegistry");
  }

  @Test
  void aMissingImageWithAFreeSlotIsBuiltAtOnceAndSucceedsWithItsDigest() {
    coordinator(2, 3);
    builder.results.add(new Succeeded("sha256:bbb", Duration.ofSeconds(3)));

    coordinator.reconcile(build("api"));

    awaitPhase(ImageBuildPhase.Succeeded);
    assertThat(phases()).containsExactly(ImageBuildPhase.Building, ImageBuildPhase.Succeeded);
    assertThat(last().digest()).isEqualTo("sha256:bbb");
    assertThat(last().attempts()).isEqualTo(1);
    assertThat(last().startedAt()).isEqualTo("2026-11-22T10:00:00Z");
    assertThat(builder.requests.get(0).dockerfile()).isEqualTo("Dockerfile");
    assertThat(builder.requests.get(0).context()).isEqualTo(".");
    assertThat(logLines.get(0)).contains("attempt 1 of at most 3");
    assertThat(last().logRef()).isEqualTo("memory/api");
  }

  @Test
  void reconcilingOneBuildManyTimesConcurrentlyRunsOneBuild() throws Exception {
    coordinator(4, 3);
    builder.blockUntilReleased = true;
    ImageBuild build = build("shared");
    ExecutorService threads = Executors.newFixedThreadPool(10);
    CountDownLatch go = new CountDownLatch(1);
    for (int i = 0; i < 50; i++) {
      threads.execute(
          () -> {
            try {
              go.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            coordinator.reconcile(build);
          });
    }
    go.countDown();
    threads.shutdown();
    assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    await().atMost(5, TimeUnit.SECONDS).until(() -> builder.calls.get() == 1);

    builder.releaseAll();

    awaitPhase(ImageBuildPhase.Succeeded);
    assertThat(builder.calls).hasValue(1);
  }

  @Test
  void buildsBeyondTheConcurrencyLimitWaitAndShowTheirPosition() {
    coordinator(1, 3);
    builder.blockUntilReleased = true;
    coordinator.reconcile(build("first"));
    await().atMost(5, TimeUnit.SECONDS).until(() -> builder.calls.get() == 1);

    coordinator.reconcile(build("second"));
    coordinator.reconcile(build("third"));

    assertThat(written)
        .filteredOn(s -> s.phase() == ImageBuildPhase.Queued)
        .extracting(ImageBuildStatus::queuePosition)
        .endsWith(1, 2);
    assertThat(last().message()).contains("1 build(s) ahead");
    builder.releaseAll();
    await().atMost(5, TimeUnit.SECONDS).until(() -> builder.calls.get() == 3);
  }

  @Test
  void anInfrastructureFailureIsRetriedAndThenSucceeds() {
    coordinator(1, 3);
    builder.results.add(new Failed(Reason.INFRASTRUCTURE, "registry push: connection refused"));
    builder.results.add(new Succeeded("sha256:ccc", Duration.ofSeconds(1)));

    coordinator.reconcile(build("api"));

    awaitPhase(ImageBuildPhase.Succeeded);
    assertThat(builder.calls).hasValue(2);
    assertThat(last().attempts()).isEqualTo(2);
    assertThat(written)
        .anySatisfy(
            s -> {
              assertThat(s.reason()).isEqualTo("RetryingAfterInfrastructureFailure");
              assertThat(s.message()).contains("attempt 1 of 3 failed", "connection refused");
            });
  }

  @Test
  void aFailingDockerfileIsNotRetried() {
    coordinator(1, 3);
    builder.results.add(new Failed(Reason.DOCKERFILE, "COPY failed: no such file: app.jar"));

    coordinator.reconcile(build("api"));

    awaitPhase(ImageBuildPhase.Failed);
    assertThat(builder.calls).hasValue(1);
    assertThat(last().reason()).isEqualTo("BuildFailed");
    assertThat(last().message()).contains("no such file: app.jar");
  }

  @Test
  void infrastructureFailuresEndTheBuildOnceTheAttemptsAreUsedUp() {
    coordinator(1, 2);
    builder.results.add(new Failed(Reason.INFRASTRUCTURE, "node lost"));
    builder.results.add(new Failed(Reason.INFRASTRUCTURE, "node lost again"));

    coordinator.reconcile(build("api"));

    awaitPhase(ImageBuildPhase.Failed);
    assertThat(builder.calls).hasValue(2);
    assertThat(last().reason()).isEqualTo("InfrastructureFailure");
    assertThat(last().message()).contains("node lost again");
  }

  @Test
  void anUnreachableRegistryLeavesTheBuildPendingWithTheErrorAndAsksAgainLater() {
    coordinator(1, 3);
    registryDown.set(
        new RegistryException(
            RegistryException.Kind.UNREACHABLE,
            "registry.example:5000",
            "acme/api",
            "the registry is unreachable (connection refused)",
            null));
    ImageBuild build = build("api");

    Optional<Duration> again = coordinator.reconcile(build);

    assertThat(again).contains(Duration.ofSeconds(15));
    assertThat(builder.calls).hasValue(0);
    assertThat(last().phase()).isEqualTo(ImageBuildPhase.Pending);
    assertThat(last().reason()).isEqualTo("RegistryUnavailable");
    assertThat(last().message()).contains("unreachable", "asking again in PT15S");

    registryDown.set(null);
    registryImages.put(build.getSpec().image(), "sha256:ddd");
    assertThat(coordinator.reconcile(build)).isEmpty();
    assertThat(last().phase()).isEqualTo(ImageBuildPhase.Skipped);
  }

  @Test
  void aRunningBuildNoOwnerNeedsAnyMoreIsCancelled() {
    coordinator(1, 3);
    builder.blockUntilReleased = true;
    coordinator.reconcile(ownedBuild("api", 2));
    await().atMost(5, TimeUnit.SECONDS).until(() -> builder.calls.get() == 1);

    coordinator.reconcile(ownedBuild("api", 1));
    assertThat(builder.interrupted).hasValue(0);
    coordinator.reconcile(ownedBuild("api", 0));

    awaitPhase(ImageBuildPhase.Cancelled);
    assertThat(builder.interrupted).hasValue(1);
    assertThat(last().message()).contains("no environment needs this image");
  }

  @Test
  void aQueuedBuildNoOwnerNeedsIsCancelledWithoutRunning() {
    coordinator(1, 3);
    builder.blockUntilReleased = true;
    coordinator.reconcile(build("busy"));
    await().atMost(5, TimeUnit.SECONDS).until(() -> builder.calls.get() == 1);
    coordinator.reconcile(ownedBuild("api", 1));

    coordinator.reconcile(ownedBuild("api", 0));

    assertThat(last().phase()).isEqualTo(ImageBuildPhase.Cancelled);
    builder.releaseAll();
    await().atMost(5, TimeUnit.SECONDS).until(() -> !coordinator.isActive(build("busy")));
    assertThat(builder.calls).hasValue(1);
  }

  @Test
  void aCancelledBuildThatIsNeededAgainIsBuilt() {
    coordinator(1, 3);
    coordinator.reconcile(ownedBuild("api", 0));
    assertThat(last().phase()).isEqualTo(ImageBuildPhase.Cancelled);
    builder.results.add(new Succeeded("sha256:eee", Duration.ofSeconds(1)));

    ImageBuild neededAgain = ownedBuild("api", 1);
    neededAgain.setStatus(last());
    coordinator.reconcile(neededAgain);

    awaitPhase(ImageBuildPhase.Succeeded);
  }

  @Test
  void aDeletedBuildIsStopped() {
    coordinator(1, 3);
    builder.blockUntilReleased = true;
    ImageBuild build = build("api");
    coordinator.reconcile(build);
    await().atMost(5, TimeUnit.SECONDS).until(() -> builder.calls.get() == 1);

    coordinator.deleted(build);

    await().atMost(5, TimeUnit.SECONDS).until(() -> builder.interrupted.get() == 1);
    await().atMost(5, TimeUnit.SECONDS).until(() -> !coordinator.isActive(build));
  }

  @Test
  void aFinishedBuildIsLeftAlone() {
    coordinator(1, 3);
    ImageBuild build = build("api");
    build.setStatus(
        BuildStatuses.succeeded(null, 1, "sha256:fff", Instant.parse("2026-11-21T10:00:00Z")));

    coordinator.reconcile(build);

    assertThat(written).isEmpty();
    assertThat(registryQuestions).hasValue(0);
  }

  @Test
  void aRebuildRequestBuildsAgainThoughTheRegistryHasTheImageAndOnlyOncePerRequest() {
    coordinator(1, 3);
    ImageBuild build = build("api");
    registryImages.put(build.getSpec().image(), "sha256:old");
    build.setStatus(
        BuildStatuses.skipped(null, 1, "sha256:old", Instant.parse("2026-11-21T10:00:00Z")));
    build.setSpec(build.getSpec().withRebuild("2026-11-22T09:59:00Z;api"));
    build.getMetadata().setGeneration(2L);
    builder.results.add(new Succeeded("sha256:new", Duration.ofSeconds(3)));

    coordinator.reconcile(build);

    awaitPhase(ImageBuildPhase.Succeeded);
    assertThat(registryQuestions).hasValue(0);
    assertThat(builder.calls).hasValue(1);
    assertThat(last().digest()).isEqualTo("sha256:new");
    assertThat(last().observedGeneration()).isEqualTo(2L);

    build.setStatus(last());
    coordinator.reconcile(build);

    assertThat(builder.calls).as("the same request builds once").hasValue(1);
  }

  @Test
  void aBuildThatWasRunningWhenBranchyardStoppedSucceedsIfItsImageArrived() {
    coordinator(1, 3);
    ImageBuild build = build("api");
    build.setStatus(
        BuildStatuses.building(null, 1, 1, null, Instant.parse("2026-11-22T09:00:00Z")));
    registryImages.put(build.getSpec().image(), "sha256:999");

    coordinator.reconcile(build);

    assertThat(last().phase()).isEqualTo(ImageBuildPhase.Succeeded);
    assertThat(last().startedAt()).isEqualTo("2026-11-22T09:00:00Z");
    assertThat(builder.calls).hasValue(0);
  }

  @Test
  void aBuildThatWasRunningWhenBranchyardStoppedIsBuiltAgainIfItsImageIsMissing() {
    coordinator(1, 3);
    ImageBuild build = build("api");
    build.setStatus(
        BuildStatuses.building(null, 1, 1, null, Instant.parse("2026-11-22T09:00:00Z")));
    builder.results.add(new Succeeded("sha256:888", Duration.ofSeconds(1)));

    coordinator.reconcile(build);

    awaitPhase(ImageBuildPhase.Succeeded);
    assertThat(last().attempts()).isEqualTo(2);
  }

  @Test
  void secretBuildArgumentsReachTheBuilderMarkedSecretAndMissingOnesWait() {
    coordinator(1, 3);
    ImageBuild build =
        build(
            "api",
            List.of(
                new BuildArg("VERSION", "1.2", null),
                new BuildArg("TOKEN", null, new BuildArg.SecretKeyRef("npm", "token"))));

    Optional<Duration> again = coordinator.reconcile(build);

    assertThat(again).isPresent();
    assertThat(last().reason()).isEqualTo("SecretMissing");
    assertThat(last().message()).contains("key token of Secret npm");

    secrets.put("npm/token", SECRET);
    builder.results.add(new Succeeded("sha256:777", Duration.ofSeconds(1)));
    coordinator.reconcile(build);
    awaitPhase(ImageBuildPhase.Succeeded);

    Map<String, BuildRequest.Arg> args = builder.requests.get(0).buildArgs();
    assertThat(args.get("TOKEN"))
        .isEqualTo(BuildRequest.Arg.secret(SECRET, new BuildRequest.SecretSource("npm", "token")));
    assertThat(args.get("VERSION")).isEqualTo(BuildRequest.Arg.literal("1.2"));
    assertThat(written).allSatisfy(s -> assertThat(String.valueOf(s)).doesNotContain(SECRET));
  }

  @Test
  void anInvalidImageReferenceFailsTheBuildWithTheReason() {
    coordinator(1, 3);
    ImageBuild build = build("api");
    build.setSpec(
        new ImageBuildSpec(build.getSpec().repo(), SHA, null, null, null, "no-registry-or-tag"));

    coordinator.reconcile(build);

    assertThat(last().phase()).isEqualTo(ImageBuildPhase.Failed);
    assertThat(last().message()).contains("no-registry-or-tag", "<registry>/<repository>:<tag>");
  }

  /** Returns scripted results, or succeeds; can block until released, and stops on interrupt. */
  private static final class ScriptedBuilder implements ImageBuilder {
    private final Deque<BuildResult> results = new ArrayDeque<>();
    private final List<BuildRequest> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger interrupted = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean blockUntilReleased;

    @Override
    public BuildResult build(BuildRequest request, BuildLog log) {
      calls.incrementAndGet();
      requests.add(request);
      if (blockUntilReleased) {
        try {
          release.await();
        } catch (InterruptedException e) {
          interrupted.incrementAndGet();
          Thread.currentThread().interrupt();
          return new Failed(
              Reason.CANCELLED, "the build of " + request.target() + " was cancelled");
        }
      }
      synchronized (results) {
        BuildResult next = results.poll();
        return next != null ? next : new Succeeded("sha256:default", Duration.ofSeconds(1));
      }
    }

    void releaseAll() {
      release.countDown();
    }
  }
}

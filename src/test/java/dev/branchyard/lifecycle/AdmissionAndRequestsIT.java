package dev.branchyard.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.branchyard.build.ImageBuild;
import dev.branchyard.spec.SourceSnapshot;
import dev.branchyard.spec.SpecParseResult;
import dev.branchyard.spec.SpecParser;
import dev.branchyard.testing.LocalPlatform;
import dev.branchyard.testing.LocalPlatformExtension;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Limits, extend, rebuild and repair through the controller on the real control plane: stack {@code
 * e2e} admits one environment at a time (queue), {@code e2e-evict} one (evictOldest), {@code
 * e2e-free} five.
 */
@ExtendWith(LocalPlatformExtension.class)
class AdmissionAndRequestsIT {

  private static final Duration READY = Duration.ofMinutes(3);
  private static final String LIMITS = "limits: {maxEnvironments: 5, onLimit: queue}";

  private static LifecycleFixture fixture;
  private static KubernetesEnvironmentRequests requests;

  @BeforeAll
  static void start(LocalPlatform platform, KubernetesClient admin) throws IOException {
    fixture =
        LifecycleFixture.start(
            platform,
            admin,
            "admission-it",
            Map.of(LIMITS, "limits: {maxEnvironments: 1, onLimit: queue}"));
    String e2e = Files.readString(Path.of("src/test/resources/fixtures/lifecycle/e2e.yaml"));
    SpecParser parser = new SpecParser();
    List<SpecParseResult> extra =
        List.of(
            parser.parse(
                "e2e-evict.yaml",
                e2e.replace("name: e2e\n", "name: e2e-evict\n")
                    .replace(LIMITS, "limits: {maxEnvironments: 1, onLimit: evictOldest}")),
            parser.parse("e2e-free.yaml", e2e.replace("name: e2e\n", "name: e2e-free\n")));
    extra.forEach(r -> assertThat(r).isInstanceOf(SpecParseResult.Valid.class));
    fixture.catalog().apply("extra", SourceSnapshot.atRevision("r1", extra));
    requests =
        new KubernetesEnvironmentRequests(
            fixture.client(),
            fixture.catalog(),
            new EventRecorder(fixture.client(), Clock.systemUTC()),
            Clock.systemUTC());
    fixture.startController("admission");
  }

  @AfterAll
  static void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void secondEnvironmentAtTheLimitWaitsQueuedAndIsAdmittedOnceTheFirstIsDeleted() {
    String first = fixture.createEnvironment("queue-pr-21", 21, fixture.webCommit(0));
    fixture.awaitPhase(first, EnvironmentPhase.Ready, READY);

    String second = fixture.createEnvironment("queue-pr-22", 22, fixture.webCommit(0));

    Environment queued = awaitStatus(second, s -> s.phase() == EnvironmentPhase.Queued);
    assertThat(queued.getStatus().queuePosition()).isEqualTo(1);
    assertThat(queued.getStatus().message()).contains("e2e has 1 of 1").contains("position 1");
    assertThat(queued.getStatus().timeline())
        .anySatisfy(e -> assertThat(e.reason()).isEqualTo("Queued"));
    assertThat(events(second, "Queued")).isNotEmpty();
    assertThat(queued.getStatus().namespace()).as("nothing deployed while queued").isNull();

    fixture.environments().withName(first).delete();

    Environment admitted = fixture.awaitPhase(second, EnvironmentPhase.Ready, READY);
    assertThat(admitted.getStatus().queuePosition()).isNull();
    assertThat(admitted.getStatus().timeline())
        .extracting(TimelineEvent::reason)
        .containsSubsequence("Queued", "Admitted", "Ready");
    fixture.environments().withName(second).delete();
  }

  @Test
  void evictOldestDeletesTheLeastRecentlyUpdatedEnvironmentAndSaysWhoEvictedIt() {
    String oldest = fixture.createEnvironment("evict-pr-31", 31, fixture.webCommit(0), "e2e-evict");
    Environment ready = fixture.awaitPhase(oldest, EnvironmentPhase.Ready, READY);
    String oldNamespace = ready.getStatus().namespace();

    String newer = fixture.createEnvironment("evict-pr-32", 32, fixture.webCommit(0), "e2e-evict");

    await()
        .atMost(READY)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> fixture.environments().withName(oldest).get() == null);
    assertThat(events(oldest, "Evicted"))
        .singleElement()
        .satisfies(e -> assertThat(e.getMessage()).contains("to make room for " + newer));
    Environment admitted = fixture.awaitPhase(newer, EnvironmentPhase.Ready, READY);
    assertThat(admitted.getStatus().timeline())
        .anySatisfy(
            e -> {
              assertThat(e.reason()).isEqualTo("Evicting");
              assertThat(e.message()).contains("evicting " + oldest);
            });
    assertThat(fixture.admin().namespaces().withName(oldNamespace).get()).isNull();
    fixture.environments().withName(newer).delete();
  }

  @Test
  void extendMovesExpiresAtByTheExtension() {
    String name = fixture.createEnvironment("free-pr-41", 41, fixture.webCommit(0), "e2e-free");
    Environment ready = fixture.awaitPhase(name, EnvironmentPhase.Ready, READY);
    Instant before = Instant.parse(ready.getStatus().expiresAt());

    Instant until = requests.extend(name, Duration.ofHours(1), "it");

    assertThat(until).isEqualTo(before.plus(Duration.ofHours(1)));
    Environment extended =
        awaitStatus(
            name, s -> until.truncatedTo(ChronoUnit.SECONDS).toString().equals(s.expiresAt()));
    assertThat(extended.getStatus().timeline())
        .anySatisfy(e -> assertThat(e.reason()).isEqualTo("Extended"));
  }

  @Test
  void rebuildBuildsTheOneImageAgainAndRollsItOutOnce() {
    String name = fixture.createEnvironment("free-pr-42", 42, fixture.webCommit(1), "e2e-free");
    Environment ready = fixture.awaitPhase(name, EnvironmentPhase.Ready, READY);
    String namespace = ready.getStatus().namespace();
    Deployment webBefore = deployment(namespace, "web");
    Deployment apiBefore = deployment(namespace, "api");
    String apiBuild =
        dev.branchyard.build.ImageBuildRequests.nameFor(component(ready, "api").image());

    requests.rebuild(name, Optional.of("web"), "it");
    String request =
        fixture
            .environments()
            .withName(name)
            .get()
            .getMetadata()
            .getAnnotations()
            .get(EnvironmentRequests.REBUILD_ANNOTATION);

    Environment rebuilt =
        awaitStatus(name, s -> request.equals(s.rebuild()) && s.phase() == EnvironmentPhase.Ready);
    ImageBuild web =
        build(dev.branchyard.build.ImageBuildRequests.nameFor(component(rebuilt, "web").image()));
    assertThat(web.getSpec().rebuild()).isEqualTo(request);
    assertThat(web.getStatus().observedGeneration()).isEqualTo(web.getMetadata().getGeneration());
    assertThat(web.getStatus().phase()).isEqualTo(dev.branchyard.build.ImageBuildPhase.Succeeded);
    Deployment webAfter = deployment(namespace, "web");
    assertThat(image(webAfter))
        .contains("@sha256:")
        .as("the rebuilt image is rolled out by its new digest")
        .isNotEqualTo(image(webBefore));
    assertThat(deployment(namespace, "api").getMetadata().getResourceVersion())
        .as("api was not rebuilt nor re-applied")
        .isEqualTo(apiBefore.getMetadata().getResourceVersion());
    ImageBuild api = build(apiBuild);
    if (api != null) {
      assertThat(api.getSpec().rebuild()).as("api was not asked to rebuild").isNull();
    }
    assertThat(rebuilt.getStatus().timeline())
        .filteredOn(e -> e.reason().equals("Rebuilt"))
        .hasSize(1);
  }

  @Test
  void namespaceDeletedBehindBranchyardsBackIsCreatedAgainWithEverything() {
    String name = fixture.createEnvironment("free-pr-43", 43, fixture.webCommit(0), "e2e-free");
    Environment ready = fixture.awaitPhase(name, EnvironmentPhase.Ready, READY);
    String namespace = ready.getStatus().namespace();

    fixture.admin().namespaces().withName(namespace).delete();
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> fixture.admin().namespaces().withName(namespace).get() == null);
    OrphanReaper.Reaped reaped =
        new OrphanReaper(
                fixture.client(),
                Clock.systemUTC(),
                Duration.ofMinutes(10),
                () -> true,
                new EventRecorder(fixture.client(), Clock.systemUTC()))
            .reap();
    // The reaper asks for the repair of a Ready environment; a pass of the controller may already
    // have begun it (the environment then shows NamespaceRecreateFailed while the old namespace
    // terminates, retried), so either way the namespace must come back.
    assertThat(reaped.deletedNamespaces()).doesNotContain(namespace);

    await()
        .atMost(READY)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                deployment(namespace, "web") != null
                    && deployment(namespace, "api") != null
                    && fixture.environments().withName(name).get().getStatus().phase()
                        == EnvironmentPhase.Ready);
    Environment repaired = fixture.environments().withName(name).get();
    assertThat(repaired.getStatus().timeline())
        .anySatisfy(e -> assertThat(e.reason()).isEqualTo("NamespaceRecreated"));
    assertThat(fixture.admin().apps().statefulSets().inNamespace(namespace).withName("db").get())
        .isNotNull();
  }

  private static Environment awaitStatus(
      String name, java.util.function.Predicate<EnvironmentStatus> condition) {
    return await()
        .atMost(READY)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> fixture.environments().withName(name).get(),
            env -> env != null && env.getStatus() != null && condition.test(env.getStatus()));
  }

  private static List<Event> events(String involved, String reason) {
    return fixture.client().v1().events().inNamespace(fixture.home()).list().getItems().stream()
        .filter(e -> involved.equals(e.getInvolvedObject().getName()))
        .filter(e -> reason.equals(e.getReason()))
        .toList();
  }

  private static ComponentStatus component(Environment environment, String name) {
    return environment.getStatus().components().stream()
        .filter(c -> c.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static ImageBuild build(String name) {
    return fixture.client().resources(ImageBuild.class).withName(name).get();
  }

  private static Deployment deployment(String namespace, String name) {
    return fixture.admin().apps().deployments().inNamespace(namespace).withName(name).get();
  }

  private static String image(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }
}

package dev.branchyard.build;

import static dev.branchyard.build.BuildLogFixtures.createBuild;
import static dev.branchyard.build.BuildLogFixtures.follow;
import static dev.branchyard.build.BuildLogFixtures.shortId;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.branchyard.build.BuildLogFixtures.Followed;
import dev.branchyard.testing.LocalPlatform;
import dev.branchyard.testing.LocalPlatformExtension;
import dev.branchyard.testing.TestBuildConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link ConfigMapBuildLogStore} on the real control plane: what it stores, how often, within which
 * bound, and how followers on this and on another replica see a log grow and end.
 */
@ExtendWith(LocalPlatformExtension.class)
class ConfigMapBuildLogStoreIT {

  private static final Duration FAST = Duration.ofMillis(200);
  private static String namespace;
  private static final List<String> NAMESPACES = new CopyOnWriteArrayList<>();

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private KubernetesClient client;

  @BeforeAll
  static void installCrdAndNamespace(LocalPlatform platform, KubernetesClient admin) {
    BuildLogFixtures.installImageBuildCrd(admin, platform.projectDir());
    namespace = newNamespace(admin);
  }

  @AfterAll
  static void deleteNamespaces(KubernetesClient admin) {
    // Deleting a namespace deletes its ImageBuilds and their log ConfigMaps; no need to wait.
    NAMESPACES.forEach(ns -> admin.namespaces().withName(ns).delete());
  }

  @BeforeEach
  void keepClient(KubernetesClient admin) {
    client = admin;
  }

  @AfterEach
  void closeStoresAndClients() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
  }

  @Test
  void storesTheLogInAConfigMapOwnedByItsBuildAndMarksItCompleteOnClose() {
    ImageBuild build = createBuild(client, namespace, "owned-" + shortId());
    ConfigMapBuildLogStore store = store(client, namespace, 512 * 1024, FAST);

    BuildLogWriter log = store.open(build, 1);
    log.line("STEP 1/2: FROM scratch");
    log.line("naïve ✓ 🚀");

    String name = build.getMetadata().getName() + "-log";
    assertThat(log.logRef()).isEqualTo("configmap/" + name);
    ConfigMap running = awaitConfigMap(namespace, name, map -> text(map).contains("🚀"));
    assertThat(running.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            owner -> {
              assertThat(owner.getKind()).isEqualTo("ImageBuild");
              assertThat(owner.getApiVersion()).isEqualTo("branchyard.dev/v1alpha1");
              assertThat(owner.getName()).isEqualTo(build.getMetadata().getName());
              assertThat(owner.getUid()).isEqualTo(build.getMetadata().getUid());
            });
    assertThat(running.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/part-of", "branchyard");
    assertThat(running.getMetadata().getAnnotations())
        .containsEntry("build-log.branchyard.dev/complete", "false");

    log.line("COMMIT");
    log.close();

    // Closing writes the last lines at once, not at the next interval.
    ConfigMap done = configMap(namespace, name);
    assertThat(text(done)).isEqualTo("STEP 1/2: FROM scratch\nnaïve ✓ 🚀\nCOMMIT\n");
    assertThat(done.getMetadata().getAnnotations())
        .containsEntry("build-log.branchyard.dev/complete", "true")
        .containsEntry("build-log.branchyard.dev/attempt", "1")
        .containsEntry("build-log.branchyard.dev/lines", "3");
    assertThat(store.tail(build.getMetadata().getName(), 2)).contains("naïve ✓ 🚀\nCOMMIT");
    assertThat(store.read(build.getMetadata().getName())).isEqualTo(text(done));
  }

  @Test
  void writesAtMostAboutOncePerIntervalWhileLinesArrive() throws InterruptedException {
    ImageBuild build = createBuild(client, namespace, "batched-" + shortId());
    String name = build.getMetadata().getName() + "-log";
    List<String> versions = new CopyOnWriteArrayList<>();
    Watch watch =
        client
            .configMaps()
            .inNamespace(namespace)
            .withName(name)
            .watch(
                new Watcher<ConfigMap>() {
                  @Override
                  public void eventReceived(Action action, ConfigMap map) {
                    versions.add(map.getMetadata().getResourceVersion());
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
    toClose.add(watch::close);
    ConfigMapBuildLogStore store = store(client, namespace, 512 * 1024, Duration.ofSeconds(1));

    BuildLogWriter log = store.open(build, 1);
    // 150 lines over about 3 seconds: one write per line would be 150 writes.
    for (int i = 1; i <= 150; i++) {
      log.line("line " + i);
      Thread.sleep(20);
    }
    assertThat(text(configMap(namespace, name))).contains("line 1\n");
    log.close();

    await("the final write").until(() -> text(configMap(namespace, name)).endsWith("line 150\n"));
    await("its watch event").until(() -> versions.contains(resourceVersion(namespace, name)));
    // About 3 interval writes while lines arrived, and the final one; allow for a slow machine.
    assertThat(versions).hasSizeBetween(2, 6);
  }

  @Test
  void keepsTheStoredLogWithinItsBound() {
    ImageBuild build = createBuild(client, namespace, "bounded-" + shortId());
    ConfigMapBuildLogStore store = store(client, namespace, 4096, FAST);

    try (BuildLogWriter log = store.open(build, 1)) {
      for (int i = 1; i <= 2000; i++) {
        log.line("line " + i + (i % 3 == 0 ? " €€€ 🚀" : ""));
      }
    }

    String text = text(configMap(namespace, build.getMetadata().getName() + "-log"));
    assertThat(text.getBytes(UTF_8).length).isLessThanOrEqualTo(4096);
    assertThat(text)
        .startsWith("line 1\nline 2\n")
        .endsWith("line 1998 €€€ 🚀\nline 1999\nline 2000\n");
    assertThat(text).containsPattern("\n… \\d+ lines \\(\\d+ KiB\\) omitted …\n");
  }

  @Test
  void aFollowerOnAnotherReplicaSeesLinesAppearAndCompletesWhenTheLogCloses() {
    ImageBuild build = createBuild(client, namespace, "remote-" + shortId());
    String buildName = build.getMetadata().getName();
    ConfigMapBuildLogStore writing = store(client, namespace, 512 * 1024, FAST);
    KubernetesClient otherClient = LocalPlatform.get().newClient();
    toClose.add(otherClient::close);
    ConfigMapBuildLogStore other = store(otherClient, namespace, 512 * 1024, FAST);

    BuildLogWriter log = writing.open(build, 1);
    log.line("first");
    Followed followed = follow(other.follow(buildName));
    log.line("second");
    await("early lines on the other replica")
        .until(() -> followed.lines().equals(List.of("first", "second")));

    List<String> more = IntStream.rangeClosed(1, 50).mapToObj(i -> "more " + i).toList();
    more.forEach(log::line);
    await("later lines").until(() -> followed.lines().size() == 52);
    assertThat(followed.ended()).isNotDone();

    log.line("last");
    log.close();

    await("the follower completes").until(() -> followed.ended().isDone());
    assertThat(followed.ended()).isCompleted();
    List<String> expected = new ArrayList<>(List.of("first", "second"));
    expected.addAll(more);
    expected.add("last");
    assertThat(followed.lines()).isEqualTo(expected);
  }

  @Test
  void aFollowerOnTheWritingReplicaGetsLinesBeforeTheyAreStored() {
    ImageBuild build = createBuild(client, namespace, "local-" + shortId());
    String buildName = build.getMetadata().getName();
    // Nothing is written during this test but the final write.
    ConfigMapBuildLogStore store = store(client, namespace, 512 * 1024, Duration.ofHours(1));

    BuildLogWriter log = store.open(build, 1);
    log.line("kept");
    Followed followed = follow(store.follow(buildName));
    log.line("live");

    await().until(() -> followed.lines().equals(List.of("kept", "live")));
    assertThat(client.configMaps().inNamespace(namespace).withName(buildName + "-log").get())
        .isNull();
    log.close();
    await().until(() -> followed.ended().isDone());
    assertThat(followed.lines()).containsExactly("kept", "live");
    assertThat(text(configMap(namespace, buildName + "-log"))).isEqualTo("kept\nlive\n");
  }

  @Test
  void aRetriedBuildAppendsToItsLogAfterAnAttemptLine() {
    ImageBuild build = createBuild(client, namespace, "retried-" + shortId());
    try (BuildLogWriter first = store(client, namespace, 512 * 1024, FAST).open(build, 1)) {
      first.line("pulling");
      first.line("connection reset");
    }

    // Attempt 2 runs on another replica, which knows only what was stored.
    KubernetesClient otherClient = LocalPlatform.get().newClient();
    toClose.add(otherClient::close);
    try (BuildLogWriter second = store(otherClient, namespace, 512 * 1024, FAST).open(build, 2)) {
      second.line("pulling");
      second.line("done");
    }

    ConfigMap map = configMap(namespace, build.getMetadata().getName() + "-log");
    assertThat(text(map))
        .isEqualTo("pulling\nconnection reset\n--- attempt 2 ---\npulling\ndone\n");
    assertThat(map.getMetadata().getAnnotations())
        .containsEntry("build-log.branchyard.dev/attempt", "2")
        .containsEntry("build-log.branchyard.dev/complete", "true");
  }

  @Test
  void kubernetesDeletesTheLogWithItsBuild() {
    ImageBuild build = createBuild(client, namespace, "deleted-" + shortId());
    String name = build.getMetadata().getName() + "-log";
    try (BuildLogWriter log = store(client, namespace, 512 * 1024, FAST).open(build, 1)) {
      log.line("short-lived");
    }
    assertThat(configMap(namespace, name)).isNotNull();

    client.resource(build).delete();

    await("garbage collection of " + name)
        .atMost(Duration.ofSeconds(60))
        .until(() -> client.configMaps().inNamespace(namespace).withName(name).get() == null);
  }

  @Test
  void followingAnUnknownBuildFailsWithNotFound() {
    ConfigMapBuildLogStore store = store(client, namespace, 512 * 1024, FAST);

    assertThatThrownBy(() -> store.follow("no-such-build"))
        .isInstanceOf(BuildNotFoundException.class)
        .hasMessage("no ImageBuild named 'no-such-build' in namespace '" + namespace + "'");
    assertThatThrownBy(() -> store.read("no-such-build"))
        .isInstanceOf(BuildNotFoundException.class);
    assertThat(store.tail("no-such-build", 10)).isEmpty();
  }

  @Test
  void followingABuildThatEndedWithoutALogCompletesEmpty() {
    ImageBuild build = createBuild(client, namespace, "skipped-" + shortId());
    build.setStatus(
        new ImageBuildStatus(
            1L,
            ImageBuildPhase.Skipped,
            null,
            null,
            null,
            "sha256:abc",
            null,
            0,
            "AlreadyInRegistry",
            null,
            List.of()));
    client.resource(build).updateStatus();
    ConfigMapBuildLogStore store = store(client, namespace, 512 * 1024, FAST);

    Followed followed = follow(store.follow(build.getMetadata().getName()));

    await().until(() -> followed.ended().isDone());
    assertThat(followed.ended()).isCompleted();
    assertThat(followed.lines()).isEmpty();
    assertThat(store.read(build.getMetadata().getName())).isEmpty();
  }

  @Test
  void keepsLinesInMemoryWhileTheApiRefusesWritesAndStoresThemOnceItAccepts() {
    String refusing = newNamespace(client);
    ResourceQuota noConfigMaps =
        new ResourceQuotaBuilder()
            .withNewMetadata()
            .withName("no-configmaps")
            .withNamespace(refusing)
            .endMetadata()
            .withNewSpec()
            .addToHard("configmaps", new Quantity("0"))
            .endSpec()
            .build();
    client.resource(noConfigMaps).create();
    await("quota in force")
        .until(
            () -> {
              ResourceQuota quota = client.resource(noConfigMaps).get();
              return quota.getStatus() != null && quota.getStatus().getHard() != null;
            });
    ImageBuild build = createBuild(client, refusing, "refused-" + shortId());
    String buildName = build.getMetadata().getName();
    ConfigMapBuildLogStore store = store(client, refusing, 512 * 1024, FAST);

    BuildLogWriter log = store.open(build, 1);
    log.line("built");
    log.close(); // does not throw, though the write is refused

    assertThat(store.tail(buildName, 5)).contains("built");
    assertThat(client.configMaps().inNamespace(refusing).withName(buildName + "-log").get())
        .isNull();

    client.resource(noConfigMaps).delete();

    await("the retried write")
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              ConfigMap map =
                  client.configMaps().inNamespace(refusing).withName(buildName + "-log").get();
              return map != null && text(map).equals("built\n");
            });
    assertThat(configMap(refusing, buildName + "-log").getMetadata().getAnnotations())
        .containsEntry("build-log.branchyard.dev/complete", "true");
  }

  private ConfigMapBuildLogStore store(
      KubernetesClient client, String namespace, int maxBytes, Duration flushInterval) {
    ConfigMapBuildLogStore store =
        new ConfigMapBuildLogStore(
            client,
            namespace,
            TestBuildConfig.defaults().withLogs(maxBytes, flushInterval),
            Clock.systemUTC());
    toClose.add(store);
    return store;
  }

  private static String newNamespace(KubernetesClient client) {
    String name = "logs-" + shortId();
    BuildLogFixtures.ensureNamespace(client, name);
    NAMESPACES.add(name);
    return name;
  }

  private ConfigMap configMap(String namespace, String name) {
    ConfigMap map = client.configMaps().inNamespace(namespace).withName(name).get();
    assertThat(map).as("ConfigMap %s/%s", namespace, name).isNotNull();
    return map;
  }

  private ConfigMap awaitConfigMap(String namespace, String name, Predicate<ConfigMap> condition) {
    return await("ConfigMap " + name)
        .until(
            () -> client.configMaps().inNamespace(namespace).withName(name).get(),
            map -> map != null && condition.test(map));
  }

  private String resourceVersion(String namespace, String name) {
    return configMap(namespace, name).getMetadata().getResourceVersion();
  }

  private static String text(ConfigMap map) {
    return map.getData() == null ? "" : map.getData().getOrDefault("log", "");
  }
}

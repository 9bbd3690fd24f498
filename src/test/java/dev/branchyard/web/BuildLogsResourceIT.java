package dev.branchyard.web;

import static dev.branchyard.build.BuildLogFixtures.createBuild;
import static dev.branchyard.build.BuildLogFixtures.shortId;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.branchyard.build.BuildLogFixtures;
import dev.branchyard.build.BuildLogStore;
import dev.branchyard.build.BuildLogWriter;
import dev.branchyard.build.ConfigMapBuildLogStore;
import dev.branchyard.build.ImageBuild;
import dev.branchyard.testing.LocalPlatform;
import dev.branchyard.testing.LocalPlatformResource;
import dev.branchyard.testing.TestBuildConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/builds/{name}/logs} in the running app against the real control plane: the event
 * stream of a build running in the app, and of one running on another replica.
 */
@QuarkusTest
@TestProfile(BuildLogsResourceIT.OnLocalPlatform.class)
class BuildLogsResourceIT {

  static final String NAMESPACE = "build-logs-it";

  /** The local platform, logs kept in {@link #NAMESPACE} and written every 200 ms. */
  public static class OnLocalPlatform implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(LocalPlatformResource.class));
    }

    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "quarkus.kubernetes-client.namespace",
          NAMESPACE,
          "branchyard.build.logs.flush-interval",
          "200ms");
    }
  }

  private static KubernetesClient admin;

  @Inject BuildLogStore logs;

  @TestHTTPResource("/api/builds/")
  URI builds;

  @BeforeAll
  static void installCrdAndNamespace() {
    admin = LocalPlatform.get().newClient();
    BuildLogFixtures.installImageBuildCrd(admin, LocalPlatform.get().projectDir());
    BuildLogFixtures.ensureNamespace(admin, NAMESPACE);
  }

  @AfterAll
  static void deleteBuilds() {
    // The namespace may be shared with a later run on the same platform: delete only builds.
    admin.resources(ImageBuild.class).inNamespace(NAMESPACE).delete();
    admin.close();
  }

  @Test
  void streamsABuildRunningInTheAppLineByLineAndEnds() {
    ImageBuild build = createBuild(admin, NAMESPACE, "sse-" + shortId());
    String name = build.getMetadata().getName();
    BuildLogWriter log = logs.open(build, 1);
    log.line("STEP 1/2: FROM scratch");
    log.line("");

    EventStream stream = EventStream.open(builds.resolve(name + "/logs"));
    await().until(() -> stream.lines().contains("data:STEP 1/2: FROM scratch"));
    log.line("naïve ✓ 🚀");
    await().until(() -> stream.lines().contains("data:naïve ✓ 🚀"));
    assertThat(stream.ended()).isNotDone();

    log.close();

    await().until(() -> stream.ended().isDone());
    assertThat(stream.lines())
        .containsExactly(
            "data:STEP 1/2: FROM scratch",
            "",
            "data:",
            "",
            "data:naïve ✓ 🚀",
            "",
            "event:end",
            "data:complete",
            "");
  }

  @Test
  void streamsABuildRunningOnAnotherReplicaFromItsConfigMap() {
    ImageBuild build = createBuild(admin, NAMESPACE, "elsewhere-" + shortId());
    String name = build.getMetadata().getName();
    ConfigMapBuildLogStore otherReplica =
        new ConfigMapBuildLogStore(
            admin,
            NAMESPACE,
            TestBuildConfig.defaults().withLogs(512 * 1024, Duration.ofMillis(200)),
            Clock.systemUTC());
    try (otherReplica) {
      BuildLogWriter log = otherReplica.open(build, 1);
      log.line("from the other replica");

      EventStream stream = EventStream.open(builds.resolve(name + "/logs"));
      await().until(() -> stream.lines().contains("data:from the other replica"));
      log.line("still building");
      log.close();

      await().until(() -> stream.ended().isDone());
      assertThat(stream.lines())
          .containsExactly(
              "data:from the other replica",
              "",
              "data:still building",
              "",
              "event:end",
              "data:complete",
              "");
    }
  }

  @Test
  void answersTheCurrentTextWithoutFollow() {
    ImageBuild build = createBuild(admin, NAMESPACE, "text-" + shortId());
    try (BuildLogWriter log = logs.open(build, 1)) {
      log.line("one");
      log.line("two");
    }

    given()
        .when()
        .get("/api/builds/" + build.getMetadata().getName() + "/logs?follow=false")
        .then()
        .statusCode(200)
        .contentType(startsWith("text/plain"))
        .body(equalTo("one\ntwo\n"));
  }

  @Test
  void answers404NamingAnUnknownBuild() {
    given()
        .accept("text/event-stream")
        .when()
        .get("/api/builds/no-such-build/logs")
        .then()
        .statusCode(404)
        .contentType(startsWith("application/json"))
        .body("build", equalTo("no-such-build"))
        .body(
            "error",
            equalTo("no ImageBuild named 'no-such-build' in namespace '" + NAMESPACE + "'"));
    given()
        .when()
        .get("/api/builds/no-such-build/logs?follow=false")
        .then()
        .statusCode(404)
        .body("build", equalTo("no-such-build"));
  }

  /** An event stream read line by line, as a browser's EventSource would receive it. */
  private record EventStream(List<String> lines, CompletableFuture<Void> ended) {

    static EventStream open(URI uri) {
      List<String> lines = new CopyOnWriteArrayList<>();
      HttpRequest request =
          HttpRequest.newBuilder(uri)
              .header("Accept", "text/event-stream")
              .timeout(Duration.ofSeconds(60))
              .build();
      CompletableFuture<Void> ended =
          HttpClient.newHttpClient()
              .sendAsync(request, HttpResponse.BodyHandlers.ofLines())
              .thenAccept(
                  response -> {
                    assertThat(response.statusCode()).isEqualTo(200);
                    response.body().forEach(lines::add);
                  });
      return new EventStream(lines, ended);
    }
  }
}

package dev.branchyard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.branchyard.build.BuildLogStore;
import dev.branchyard.build.BuildLogWriter;
import dev.branchyard.build.BuildNotFoundException;
import dev.branchyard.build.ImageBuild;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code GET /api/builds/{name}/logs}: framing and errors, over a store with fixed logs. */
@QuarkusTest
@TestProfile(BuildLogsResourceTest.NoCluster.class)
class BuildLogsResourceTest {

  /** No cluster behind the app, and {@link FixedLogs} as its log store. */
  public static class NoCluster implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("quarkus.kubernetes-client.api-server-url", "https://127.0.0.1:9");
    }

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
      return Set.of(FixedLogs.class);
    }
  }

  private static final List<String> LINES = List.of("STEP 1/2: FROM scratch", "", "naïve ✓ 🚀");

  @Test
  void streamsOneEventPerLineThenAnEndEvent() {
    given()
        .accept("text/event-stream")
        .when()
        .get("/api/builds/api-1/logs")
        .then()
        .statusCode(200)
        .contentType(startsWith("text/event-stream"))
        .body(
            equalTo(
                "data:STEP 1/2: FROM scratch\n\ndata:\n\ndata:naïve ✓ 🚀\n\nevent:end\ndata:complete\n\n"));
  }

  @Test
  void answersPlainTextWithoutFollow() {
    given()
        .when()
        .get("/api/builds/api-1/logs?follow=false")
        .then()
        .statusCode(200)
        .contentType(startsWith("text/plain"))
        .body(equalTo("STEP 1/2: FROM scratch\n\nnaïve ✓ 🚀\n"));
  }

  @Test
  void answersPlainTextToAClientThatAsksForIt() {
    given()
        .accept("text/plain")
        .when()
        .get("/api/builds/api-1/logs")
        .then()
        .statusCode(200)
        .contentType(startsWith("text/plain"))
        .body(equalTo("STEP 1/2: FROM scratch\n\nnaïve ✓ 🚀\n"));
  }

  @Test
  void streamsWhenTheClientAcceptsAnything() {
    given()
        .accept("*/*")
        .when()
        .get("/api/builds/api-1/logs")
        .then()
        .statusCode(200)
        .contentType(startsWith("text/event-stream"));
  }

  @Test
  void answers404WithTheBuildNameForAnUnknownBuild() {
    given()
        .accept("text/event-stream")
        .when()
        .get("/api/builds/nope/logs")
        .then()
        .statusCode(404)
        .contentType(startsWith("application/json"))
        .body("build", equalTo("nope"))
        .body("error", equalTo("no ImageBuild named 'nope' in namespace 'test'"));
    given()
        .when()
        .get("/api/builds/nope/logs?follow=false")
        .then()
        .statusCode(404)
        .contentType(startsWith("application/json"))
        .body("build", equalTo("nope"));
  }

  /** One complete log, of build {@code api-1}. */
  @Alternative
  @ApplicationScoped
  public static class FixedLogs implements BuildLogStore {

    private final Map<String, List<String>> logs = Map.of("api-1", LINES);

    @Override
    public BuildLogWriter open(ImageBuild build, int attempt) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Multi<String> follow(String buildName) {
      return Multi.createFrom().iterable(lines(buildName));
    }

    @Override
    public String read(String buildName) {
      return String.join("\n", lines(buildName)) + "\n";
    }

    @Override
    public Optional<String> tail(String buildName, int lines) {
      throw new UnsupportedOperationException();
    }

    private List<String> lines(String buildName) {
      List<String> lines = logs.get(buildName);
      if (lines == null) {
        throw new BuildNotFoundException(buildName, "test");
      }
      return lines;
    }
  }
}

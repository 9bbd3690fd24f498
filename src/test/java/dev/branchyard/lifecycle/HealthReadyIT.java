package dev.branchyard.lifecycle;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import dev.branchyard.testing.LocalPlatformResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The running application is ready once it reaches the real Kubernetes API. */
@QuarkusTest
@TestProfile(HealthReadyIT.OnLocalPlatform.class)
class HealthReadyIT {

  /**
   * A profile, not a class-restricted test resource: each profile gets its own application, so
   * other {@code @QuarkusTest}s' resources never configure this one.
   */
  public static class OnLocalPlatform implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(LocalPlatformResource.class));
    }

    // As in production: readiness includes the controllers having started.
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("quarkus.operator-sdk.start-operator", "true");
    }
  }

  @Test
  void readyWhenTheKubernetesApiAnswers() {
    // The first probe also sets up the client's connection; on a loaded machine that can take
    // longer than the probe's timeout, so wait for readiness to converge.
    await("readiness UP")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> given().get("/q/health/ready").statusCode() == 200);
    given()
        .when()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.name", hasItem("kubernetes-api"))
        .body("checks.find { it.name == 'kubernetes-api' }.data.version", startsWith("v1.20"));
  }
}

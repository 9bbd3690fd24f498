package dev.branchyard.lifecycle;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A replica that cannot reach the Kubernetes API reports itself not ready, and says why. */
@QuarkusTest
@TestProfile(KubernetesApiReadinessTest.UnreachableApi.class)
class KubernetesApiReadinessTest {

  /** Port 9 (discard) on loopback: nothing listens, so connections are refused at once. */
  public static class UnreachableApi implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "quarkus.kubernetes-client.api-server-url", "https://127.0.0.1:9",
          "quarkus.kubernetes-client.request-retry-backoff-limit", "0",
          "branchyard.lifecycle.api-check-timeout", "3s");
    }
  }

  @Test
  void notReadyWhenTheKubernetesApiIsUnreachable() {
    given()
        .when()
        .get("/q/health/ready")
        .then()
        .statusCode(503)
        .body("status", equalTo("DOWN"))
        .body("checks.find { it.name == 'kubernetes-api' }.status", equalTo("DOWN"))
        .body("checks.find { it.name == 'kubernetes-api' }.data.error", notNullValue());
  }

  @Test
  void aliveEvenWhenTheKubernetesApiIsUnreachable() {
    given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
  }
}

package dev.branchyard.lifecycle;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import dev.branchyard.testing.LocalPlatformResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The running application is ready once it reaches the real Kubernetes API. */
@QuarkusTest
@QuarkusTestResource(value = LocalPlatformResource.class, restrictToAnnotatedClass = true)
class HealthReadyIT {

  @Test
  void readyWhenTheKubernetesApiAnswers() {
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

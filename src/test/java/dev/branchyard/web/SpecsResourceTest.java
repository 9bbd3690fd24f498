package dev.branchyard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /api/specs} shows the specs in use and, precisely, what is wrong with the rest. */
@QuarkusTest
@TestProfile(SpecsResourceTest.OneGoodOneBroken.class)
class SpecsResourceTest {

  /** A spec directory with a valid {@code blog.yaml} and a {@code wiki.yaml} with a typo. */
  public static class OneGoodOneBroken implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "quarkus.kubernetes-client.api-server-url", "https://127.0.0.1:9",
          "branchyard.specs.directory.path", "src/test/resources/fixtures/specs/api");
    }
  }

  @Test
  void listsTheSpecsInUseWithTheirComponentsAndSource() {
    given()
        .when()
        .get("/api/specs")
        .then()
        .statusCode(200)
        .body("specs.name", contains("blog"))
        .body("specs[0].components", contains("web"))
        .body("specs[0].file", equalTo("src/test/resources/fixtures/specs/api/blog.yaml"));
  }

  @Test
  void reportsABrokenSpecWithLineColumnAndTheFieldItMeant() {
    given()
        .when()
        .get("/api/specs")
        .then()
        .statusCode(200)
        .body("problems", hasSize(1))
        .body("problems[0].file", equalTo("src/test/resources/fixtures/specs/api/wiki.yaml"))
        .body("problems[0].errors[0]", containsString("wiki.yaml:5:5:"))
        .body("problems[0].errors[0]", containsString("requires"));
  }
}

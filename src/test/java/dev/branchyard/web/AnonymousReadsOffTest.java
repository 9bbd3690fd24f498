package dev.branchyard.web;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With {@code branchyard.web.api.anonymous-read=false}, even reads need a token. */
@QuarkusTest
@TestProfile(AnonymousReadsOffTest.ReadsNeedAToken.class)
class AnonymousReadsOffTest {

  public static class ReadsNeedAToken extends EnvironmentsApiTest.InMemoryPorts {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
      overrides.put("branchyard.web.api.anonymous-read", "false");
      return overrides;
    }
  }

  @Inject InMemoryApiTokenStore tokens;

  @Test
  void answers401ProblemToAnAnonymousRead() {
    for (String path : new String[] {"/api/environments", "/api/builds", "/api/specs"}) {
      given()
          .get(path)
          .then()
          .statusCode(401)
          .header("WWW-Authenticate", startsWith("Bearer"))
          .contentType(startsWith("application/problem+json"))
          .body("type", equalTo("https://branchyard.dev/problems/token-required"));
    }
  }

  @Test
  void answersAReadWithAReadToken() {
    ApiTokens.Minted minted =
        ApiTokens.mint("reader", ApiScope.READ, new SecureRandom(), Instant.now());
    tokens.save(minted.stored());

    given().auth().oauth2(minted.token()).get("/api/environments").then().statusCode(200);
  }

  @Test
  void leavesTheHealthAndMetricsEndpointsOpen() {
    given().get("/q/metrics").then().statusCode(200);
  }
}

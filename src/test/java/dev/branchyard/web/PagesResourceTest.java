package dev.branchyard.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.branchyard.lifecycle.EnvironmentPhase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pages as served by the application with no GitHub OAuth app configured (as in {@code make
 * run}): readable, actions unavailable with the reason, mutating requests refused. Environments
 * come from memory: no cluster needed.
 */
@QuarkusTest
@TestProfile(PagesResourceTest.NoLogin.class)
class PagesResourceTest {

  /** No OAuth app, no cluster (an address nothing answers), environments in memory. */
  public static class NoLogin implements QuarkusTestProfile {
    @Override
    public Set<Class<?>> getEnabledAlternatives() {
      return Set.of(InMemoryEnvironmentRequests.class);
    }

    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("quarkus.kubernetes-client.api-server-url", "https://127.0.0.1:9");
    }
  }

  @Inject InMemoryEnvironmentRequests environments;

  @BeforeEach
  void twoEnvironments() {
    environments.reset(Instant.now());
    environments.add(
        PageFixtures.withStatus(
            PageFixtures.pending("shop-acme-shop-pr-12", "shop", "acme/shop", 12),
            PageFixtures.status(EnvironmentPhase.Ready, "acme/shop", 3, "shop-pr-12")));
    environments.add(PageFixtures.pending("blog-acme-blog-pr-7", "blog", "acme/blog", 7));
  }

  @Test
  void listsEnvironmentsWithPhaseAndLinks() {
    given()
        .when()
        .get("/environments")
        .then()
        .statusCode(200)
        .contentType(startsWith("text/html"))
        .header("Server-Timing", matchesPattern("render;dur=[0-9.]+"))
        .body(containsString("href=\"/environments/shop-acme-shop-pr-12\""))
        .body(containsString("href=\"/environments/blog-acme-blog-pr-7\""))
        .body(containsString("2 environments"))
        .body(containsString("href=\"https://github.com/acme/shop/pull/12\""));
  }

  @Test
  void filtersTheListByPhaseAndStack() {
    given()
        .queryParam("phase", "Pending")
        .when()
        .get("/")
        .then()
        .statusCode(200)
        .body(containsString("blog-acme-blog-pr-7"))
        .body(not(containsString("/environments/shop-acme-shop-pr-12")));
    given()
        .queryParam("spec", "shop")
        .when()
        .get("/environments")
        .then()
        .statusCode(200)
        .body(containsString("/environments/shop-acme-shop-pr-12"))
        .body(not(containsString("/environments/blog-acme-blog-pr-7")));
  }

  @Test
  void answersAnUnknownSortWith400NamingTheValidOnes() {
    given()
        .queryParam("sort", "size")
        .when()
        .get("/environments")
        .then()
        .statusCode(400)
        .body(containsString("unknown sort &#39;size&#39;"))
        .body(containsString("-created"));
  }

  @Test
  void showsComponentsWithRefsCommitLinksAndEscapedTimeline() {
    String html =
        given()
            .when()
            .get("/environments/shop-acme-shop-pr-12")
            .then()
            .statusCode(200)
            .header("Cache-Control", "no-store")
            .extract()
            .asString();
    assertThat(html)
        .contains("href=\"https://github.com/acme/shop/commit/" + PageFixtures.HEAD + "\"")
        .contains("pull request head")
        .contains("no branch feature/login; fell back to main")
        .contains("data-build=\"web-0123456789ab\"")
        .contains("data-live=\"/environments/shop-acme-shop-pr-12/events?since=1\"")
        .contains("build &lt;b&gt;queued&lt;/b&gt;")
        .doesNotContain("build <b>queued</b>");
  }

  @Test
  void saysActionsAreUnavailableAndWhyWhenNoOAuthAppIsConfigured() {
    String html =
        given().when().get("/environments/shop-acme-shop-pr-12").then().extract().asString();
    assertThat(html)
        .contains("no GitHub OAuth app configured")
        .contains("quarkus.oidc.client-id")
        .doesNotContain("id=\"extend-form\"")
        .doesNotContain("Log in with GitHub");
  }

  @Test
  void refusesAnAnonymousExtendWith401AndChangesNothing() {
    given()
        .contentType("application/x-www-form-urlencoded")
        .formParam("by", "4h")
        .formParam("csrf", "forged")
        .when()
        .post("/environments/shop-acme-shop-pr-12/extend")
        .then()
        .statusCode(401)
        .body(containsString("no GitHub OAuth app configured"));
    given()
        .contentType("application/x-www-form-urlencoded")
        .formParam("csrf", "forged")
        .when()
        .post("/environments/shop-acme-shop-pr-12/destroy")
        .then()
        .statusCode(401);
    given()
        .contentType("application/x-www-form-urlencoded")
        .formParam("csrf", "forged")
        .when()
        .post("/environments/shop-acme-shop-pr-12/rebuild")
        .then()
        .statusCode(401);
    assertThat(environments.rebuilds()).isEmpty();
    assertThat(environments.get("shop-acme-shop-pr-12")).isPresent();
  }

  @Test
  void answersAnUnknownEnvironmentWith404() {
    given()
        .when()
        .get("/environments/no-such-env")
        .then()
        .statusCode(404)
        .body(containsString("no environment named &#39;no-such-env&#39;"));
  }

  @Test
  void explainsThatLoginIsNotConfigured() {
    given()
        .redirects()
        .follow(false)
        .when()
        .get("/login?then=/environments")
        .then()
        .statusCode(503)
        .body(containsString("quarkus.oidc.tenant-enabled=true"));
  }

  @Test
  void servesTheScriptAndStylesheet() {
    given().when().get("/static/branchyard.js").then().statusCode(200);
    given().when().get("/static/branchyard.css").then().statusCode(200);
  }
}

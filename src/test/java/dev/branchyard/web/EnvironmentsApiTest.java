package dev.branchyard.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentSpec;
import dev.branchyard.lifecycle.Trigger;
import dev.branchyard.lifecycle.TriggerSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The REST API's HTTP behaviour (routes, tokens, scopes, problem documents, pagination) in the
 * running app, with the environment port and the token store in memory. {@code EnvironmentsApiIT}
 * runs the same API against the real control plane.
 */
@QuarkusTest
@TestProfile(EnvironmentsApiTest.InMemoryPorts.class)
class EnvironmentsApiTest {

  /** The spec fixtures of {@code SpecsResourceTest}, environments and tokens in memory. */
  public static class InMemoryPorts extends SpecsResourceTest.OneGoodOneBroken {
    @Override
    public Set<Class<?>> getEnabledAlternatives() {
      return Set.of(InMemoryEnvironmentRequests.class, InMemoryApiTokenStore.class);
    }
  }

  private static final Instant NOW = Instant.parse("2026-12-02T07:00:00Z");
  private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

  @Inject InMemoryEnvironmentRequests environments;
  @Inject InMemoryApiTokenStore tokens;
  private String readToken;
  private String writeToken;
  private String adminToken;

  @BeforeEach
  void installFakes() {
    environments.reset(NOW);
    tokens.tokens().clear();
    readToken = mint("reader", ApiScope.READ);
    writeToken = mint("ci", ApiScope.WRITE);
    adminToken = mint("root", ApiScope.ADMIN);
    for (int pr = 1; pr <= 5; pr++) {
      environments.add(environment("blog-blog-pr" + pr, pr, "author" + (pr % 2)));
    }
  }

  private String mint(String name, ApiScope scope) {
    ApiTokens.Minted minted = ApiTokens.mint(name, scope, new SecureRandom(), NOW);
    tokens.save(minted.stored());
    return minted.token();
  }

  private static Environment environment(String name, int pr, String author) {
    Environment environment =
        new Environment(
            name,
            new EnvironmentSpec(
                "blog",
                new Trigger(
                    TriggerSource.PullRequest,
                    "acme/blog",
                    pr,
                    "b" + pr,
                    "main",
                    SHA,
                    author,
                    false),
                null));
    environment.getMetadata().setCreationTimestamp(NOW.plusSeconds(pr).toString());
    return environment;
  }

  @Test
  void listsEnvironmentsWithoutATokenWhenAnonymousReadsAreOn() {
    given()
        .get("/api/environments")
        .then()
        .statusCode(200)
        .body("total", equalTo(5))
        .body("items", hasSize(5))
        .body("items[0].name", equalTo("blog-blog-pr5"))
        .body("items[0].trigger.author", equalTo("author1"))
        .body("items[0].phase", equalTo("Pending"))
        .body("nextCursor", nullValue());
  }

  @Test
  void pagesWithANextCursorAndALinkHeader() {
    Response first =
        given().queryParam("limit", 2).queryParam("sort", "created").get("/api/environments");
    first
        .then()
        .statusCode(200)
        .body("items.name", org.hamcrest.Matchers.contains("blog-blog-pr1", "blog-blog-pr2"));
    String next = first.path("next");
    assertThat(first.header("Link")).isEqualTo("<" + next + ">; rel=\"next\"");
    assertThat(next).contains("sort=created").contains("limit=2").contains("cursor=");

    Response second = given().urlEncodingEnabled(false).get(next);
    second
        .then()
        .statusCode(200)
        .body("items.name", org.hamcrest.Matchers.contains("blog-blog-pr3", "blog-blog-pr4"));
    Response third = given().urlEncodingEnabled(false).get((String) second.path("next"));
    third
        .then()
        .statusCode(200)
        .body("items.name", org.hamcrest.Matchers.contains("blog-blog-pr5"))
        .body("next", nullValue());
    assertThat(third.header("Link")).isNull();
  }

  @Test
  void filtersByAuthorAndPhase() {
    given()
        .queryParam("author", "AUTHOR0")
        .queryParam("phase", "Pending")
        .get("/api/environments")
        .then()
        .statusCode(200)
        .body("items.name", org.hamcrest.Matchers.contains("blog-blog-pr4", "blog-blog-pr2"));
  }

  @Test
  void answers400ProblemNamingABadListingParameter() {
    given()
        .queryParam("limit", 500)
        .get("/api/environments")
        .then()
        .statusCode(400)
        .contentType(startsWith("application/problem+json"))
        .body("type", equalTo("https://branchyard.dev/problems/invalid-request"))
        .body("status", equalTo(400))
        .body("parameter", equalTo("limit"))
        .body("detail", containsString("1 to 200"))
        .body("instance", equalTo("/api/environments"));
    given()
        .queryParam("cursor", "garbage")
        .get("/api/environments")
        .then()
        .statusCode(400)
        .body("parameter", equalTo("cursor"));
  }

  @Test
  void getsOneEnvironment() {
    given()
        .get("/api/environments/blog-blog-pr3")
        .then()
        .statusCode(200)
        .body("name", equalTo("blog-blog-pr3"))
        .body("spec", equalTo("blog"))
        .body("trigger.pullRequest", equalTo(3))
        .body("trigger.headSha", equalTo(SHA))
        .body("components", hasSize(0));
  }

  @Test
  void answers404ProblemNamingTheUnknownEnvironmentAndHowToList() {
    given()
        .get("/api/environments/nope")
        .then()
        .statusCode(404)
        .contentType(startsWith("application/problem+json"))
        .body("type", equalTo("https://branchyard.dev/problems/environment-not-found"))
        .body("title", equalTo("Environment not found"))
        .body("status", equalTo(404))
        .body("detail", containsString("no environment named 'nope'"))
        .body("detail", containsString("GET /api/environments"))
        .body("instance", equalTo("/api/environments/nope"))
        .body("environment", equalTo("nope"));
  }

  @Test
  void answers401ProblemWithAChallengeForAChangeWithoutAToken() {
    given()
        .contentType(ContentType.JSON)
        .body("{\"duration\": \"2h\"}")
        .post("/api/environments/blog-blog-pr1/extend")
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", startsWith("Bearer realm=\"branchyard\""))
        .contentType(startsWith("application/problem+json"))
        .body("type", equalTo("https://branchyard.dev/problems/token-required"))
        .body("detail", containsString("scripts/api-token.sh create"));
    given().delete("/api/environments/blog-blog-pr1").then().statusCode(401);
    assertThat(environments.environments()).containsKey("blog-blog-pr1");
  }

  @Test
  void answers401ProblemForATokenThatWasNeverMinted() {
    given()
        .auth()
        .oauth2("by_" + "A".repeat(43))
        .get("/api/environments")
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", containsString("error=\"invalid_token\""))
        .contentType(startsWith("application/problem+json"))
        .body("type", equalTo("https://branchyard.dev/problems/invalid-token"));
  }

  @Test
  void answers403ProblemForAReadOnlyTokenOnAChange() {
    given()
        .auth()
        .oauth2(readToken)
        .delete("/api/environments/blog-blog-pr1")
        .then()
        .statusCode(403)
        .contentType(startsWith("application/problem+json"))
        .body("type", equalTo("https://branchyard.dev/problems/insufficient-scope"))
        .body("detail", containsString("write scope"));
    assertThat(environments.environments()).containsKey("blog-blog-pr1");
    given().auth().oauth2(readToken).get("/api/environments").then().statusCode(200);
  }

  @Test
  void extendsWithAWriteToken() {
    given()
        .auth()
        .oauth2(writeToken)
        .contentType(ContentType.JSON)
        .body("{\"duration\": \"1h30m\"}")
        .post("/api/environments/blog-blog-pr1/extend")
        .then()
        .statusCode(200)
        .body("name", equalTo("blog-blog-pr1"))
        .body("expiresAt", equalTo("2026-12-02T08:30:00Z"));
  }

  @Test
  void answers400ProblemForAnInvalidDurationSayingWhatIsValid() {
    for (String duration : new String[] {"2 hours", "0m", ""}) {
      given()
          .auth()
          .oauth2(writeToken)
          .contentType(ContentType.JSON)
          .body("{\"duration\": \"" + duration + "\"}")
          .post("/api/environments/blog-blog-pr1/extend")
          .then()
          .statusCode(400)
          .contentType(startsWith("application/problem+json"))
          .body("type", equalTo("https://branchyard.dev/problems/invalid-duration"))
          .body("detail", containsString("like 30m, 2h, 1h30m or 1d"))
          .body("valid", containsString("positive duration"));
    }
  }

  @Test
  void answers422ProblemWhenAnExtensionPassesTheMax() {
    given()
        .auth()
        .oauth2(writeToken)
        .contentType(ContentType.JSON)
        .body("{\"duration\": \"3d\"}")
        .post("/api/environments/blog-blog-pr1/extend")
        .then()
        .statusCode(422)
        .body("type", equalTo("https://branchyard.dev/problems/extension-refused"))
        .body("detail", containsString("at most 1d"));
  }

  @Test
  void answers404ProblemWhenExtendingAnUnknownEnvironment() {
    given()
        .auth()
        .oauth2(writeToken)
        .contentType(ContentType.JSON)
        .body("{\"duration\": \"2h\"}")
        .post("/api/environments/gone/extend")
        .then()
        .statusCode(404)
        .body("environment", equalTo("gone"));
  }

  @Test
  void createsAnEnvironmentForAPullRequestAtAGivenCommit() {
    given()
        .auth()
        .oauth2(writeToken)
        .contentType(ContentType.JSON)
        .body(
            "{\"spec\": \"blog\", \"repo\": \"acme/blog\", \"pullRequest\": 42,"
                + " \"branch\": \"feature/x\", \"sha\": \""
                + SHA
                + "\", \"ttl\": \"4h\"}")
        .post("/api/environments")
        .then()
        .statusCode(201)
        .header("Location", org.hamcrest.Matchers.endsWith("/api/environments/blog-blog-pr42"))
        .body("name", equalTo("blog-blog-pr42"))
        .body("outcome", equalTo("CREATED"))
        .body("headSha", equalTo(SHA));
    Environment created = environments.environments().get("blog-blog-pr42");
    assertThat(created.getSpec().ttl()).isEqualTo("4h");
    assertThat(created.getSpec().trigger().source()).isEqualTo(TriggerSource.Api);
    assertThat(created.getSpec().trigger().requestedBy()).isEqualTo("ci");
  }

  @Test
  void rejectsAnUnknownSpecNamingTheKnownOnes() {
    given()
        .auth()
        .oauth2(writeToken)
        .contentType(ContentType.JSON)
        .body(
            "{\"spec\": \"blgo\", \"repo\": \"acme/blog\", \"pullRequest\": 1, \"sha\": \""
                + SHA
                + "\"}")
        .post("/api/environments")
        .then()
        .statusCode(400)
        .body("parameter", equalTo("spec"))
        .body("detail", containsString("no spec named 'blgo'"))
        .body("detail", containsString("Did you mean 'blog'?"))
        .body("detail", containsString("Known specs: blog"));
  }

  @Test
  void rejectsACreateWithNeitherPullRequestNorBranchOrWithABadTtl() {
    given()
        .auth()
        .oauth2(writeToken)
        .contentType(ContentType.JSON)
        .body("{\"spec\": \"blog\", \"repo\": \"acme/blog\"}")
        .post("/api/environments")
        .then()
        .statusCode(400)
        .body("parameter", equalTo("pullRequest"));
    given()
        .auth()
        .oauth2(writeToken)
        .contentType(ContentType.JSON)
        .body(
            "{\"spec\": \"blog\", \"repo\": \"acme/blog\", \"pullRequest\": 1, \"sha\": \""
                + SHA
                + "\", \"ttl\": \"forever\"}")
        .post("/api/environments")
        .then()
        .statusCode(400)
        .body("type", equalTo("https://branchyard.dev/problems/invalid-duration"));
    given()
        .auth()
        .oauth2(writeToken)
        .contentType(ContentType.JSON)
        .body("{not json")
        .post("/api/environments")
        .then()
        .statusCode(400)
        .contentType(startsWith("application/problem+json"));
  }

  @Test
  void destroysAnEnvironmentByName() {
    given()
        .auth()
        .oauth2(writeToken)
        .delete("/api/environments/blog-blog-pr2")
        .then()
        .statusCode(202)
        .body("name", equalTo("blog-blog-pr2"));
    assertThat(environments.environments()).doesNotContainKey("blog-blog-pr2");
    given()
        .auth()
        .oauth2(writeToken)
        .delete("/api/environments/blog-blog-pr2")
        .then()
        .statusCode(404)
        .body("environment", equalTo("blog-blog-pr2"));
  }

  @Test
  void rebuildsOneComponentOrSaysWhichComponentsThereAre() {
    given()
        .auth()
        .oauth2(writeToken)
        .contentType(ContentType.JSON)
        .body("{\"component\": \"web\"}")
        .post("/api/environments/blog-blog-pr1/rebuild")
        .then()
        .statusCode(202);
    assertThat(environments.rebuilds()).containsExactly("blog-blog-pr1:web:ci");
    given()
        .auth()
        .oauth2(writeToken)
        .contentType(ContentType.JSON)
        .body("{\"component\": \"db\"}")
        .post("/api/environments/blog-blog-pr1/rebuild")
        .then()
        .statusCode(400)
        .body("parameter", equalTo("component"))
        .body("detail", containsString("its components are web"));
  }

  @Test
  void mintsListsAndRevokesTokensOnlyWithAnAdminToken() {
    given().auth().oauth2(writeToken).get("/api/tokens").then().statusCode(403);
    String minted =
        given()
            .auth()
            .oauth2(adminToken)
            .contentType(ContentType.JSON)
            .body("{\"name\": \"deploy-bot\", \"scope\": \"write\"}")
            .post("/api/tokens")
            .then()
            .statusCode(201)
            .body("scope", equalTo("write"))
            .body("token", startsWith("by_"))
            .extract()
            .path("token");
    assertThat(tokens.tokens().get("deploy-bot").sha256()).isEqualTo(ApiTokens.sha256(minted));
    given()
        .auth()
        .oauth2(adminToken)
        .get("/api/tokens")
        .then()
        .statusCode(200)
        .body("name", org.hamcrest.Matchers.hasItem("deploy-bot"))
        .body("token", org.hamcrest.Matchers.everyItem(nullValue()));
    given().auth().oauth2(minted).delete("/api/environments/blog-blog-pr3").then().statusCode(202);

    given().auth().oauth2(adminToken).delete("/api/tokens/deploy-bot").then().statusCode(204);
    given().auth().oauth2(minted).get("/api/environments").then().statusCode(401);
  }

  @Test
  void answersUnknownApiRoutesWithAProblem() {
    given()
        .get("/api/nothing-here")
        .then()
        .statusCode(404)
        .contentType(startsWith("application/problem+json"))
        .body("detail", containsString("/q/openapi"));
  }

  @Test
  void describesTheApiInOpenApi() {
    given()
        .accept("application/json")
        .get("/q/openapi")
        .then()
        .statusCode(200)
        .body("paths", org.hamcrest.Matchers.hasKey("/api/environments"))
        .body("paths", org.hamcrest.Matchers.hasKey("/api/environments/{name}/extend"))
        .body("components.securitySchemes.apiToken.scheme", equalTo("bearer"));
  }
}

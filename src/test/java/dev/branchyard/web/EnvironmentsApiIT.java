package dev.branchyard.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import dev.branchyard.build.BuildLogFixtures;
import dev.branchyard.build.ImageBuild;
import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentPhase;
import dev.branchyard.lifecycle.EnvironmentRequests;
import dev.branchyard.lifecycle.EnvironmentStatus;
import dev.branchyard.testing.LocalPlatform;
import dev.branchyard.testing.LocalPlatformResource;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The REST API in the running app against the real control plane: Environments written and read
 * through {@link EnvironmentRequests}' Kubernetes adapter, tokens kept in a real Secret, metrics
 * from informers. No controller runs, so environments stay where the test puts them.
 */
@QuarkusTest
@TestProfile(EnvironmentsApiIT.OnLocalPlatform.class)
class EnvironmentsApiIT {

  static final String NAMESPACE = "webapi-it";
  static final String TOKENS_SECRET = "webapi-it-tokens";
  static final String SHA = "0123456789abcdef0123456789abcdef01234567";

  /** The local platform, Branchyard's namespace {@link #NAMESPACE}, the blog spec, metrics on. */
  public static class OnLocalPlatform implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(LocalPlatformResource.class));
    }

    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "quarkus.kubernetes-client.namespace", NAMESPACE,
          "branchyard.specs.directory.path", "src/test/resources/fixtures/specs/api",
          "branchyard.web.api.tokens.secret", TOKENS_SECRET,
          "branchyard.web.api.tokens.refresh-interval", "0s",
          "branchyard.web.metrics.watch", "true");
    }
  }

  private static KubernetesClient admin;
  private static String writeToken;
  private static String readToken;
  private static String adminToken;

  @BeforeAll
  static void namespaceAndTokens() {
    admin = LocalPlatform.get().newClient();
    BuildLogFixtures.ensureNamespace(admin, NAMESPACE);
    admin.resources(Environment.class).inNamespace(NAMESPACE).delete();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                admin
                    .resources(Environment.class)
                    .inNamespace(NAMESPACE)
                    .list()
                    .getItems()
                    .isEmpty());
    SecureRandom random = new SecureRandom();
    ApiTokens.Minted write = ApiTokens.mint("it-ci", ApiScope.WRITE, random, Instant.now());
    ApiTokens.Minted read = ApiTokens.mint("it-reader", ApiScope.READ, random, Instant.now());
    ApiTokens.Minted root = ApiTokens.mint("it-admin", ApiScope.ADMIN, random, Instant.now());
    writeToken = write.token();
    readToken = read.token();
    adminToken = root.token();
    // As scripts/api-token.sh writes it: only hashes in the Secret.
    admin
        .secrets()
        .inNamespace(NAMESPACE)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(TOKENS_SECRET)
                .endMetadata()
                .addToData(
                    Map.of(
                        "it-ci", base64(write.stored().format()),
                        "it-reader", base64(read.stored().format()),
                        "it-admin", base64(root.stored().format())))
                .build())
        .createOr(existing -> existing.update());
  }

  @AfterAll
  static void cleanUp() {
    admin.resources(Environment.class).inNamespace(NAMESPACE).delete();
    admin.resources(ImageBuild.class).inNamespace(NAMESPACE).delete();
    admin.secrets().inNamespace(NAMESPACE).withName(TOKENS_SECRET).delete();
    admin.close();
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String create(int pullRequest) {
    return given()
        .auth()
        .oauth2(writeToken)
        .contentType(ContentType.JSON)
        .body(
            "{\"spec\": \"blog\", \"repo\": \"acme/blog\", \"pullRequest\": "
                + pullRequest
                + ", \"branch\": \"feature-"
                + pullRequest
                + "\", \"sha\": \""
                + SHA
                + "\"}")
        .post("/api/environments")
        .then()
        .statusCode(201)
        .extract()
        .path("name");
  }

  @Test
  void createsListsReadsExtendsRebuildsAndDestroysAnEnvironment() {
    String name = create(101);
    assertThat(name).isEqualTo("blog-blog-pr101");
    Environment stored =
        admin.resources(Environment.class).inNamespace(NAMESPACE).withName(name).get();
    assertThat(stored.getMetadata().getLabels())
        .containsEntry(EnvironmentRequests.SPEC_LABEL, "blog")
        .containsEntry(EnvironmentRequests.PULL_REQUEST_LABEL, "101");
    assertThat(stored.getSpec().trigger().requestedBy()).isEqualTo("it-ci");

    given()
        .get("/api/environments/" + name)
        .then()
        .statusCode(200)
        .body("spec", equalTo("blog"))
        .body("phase", equalTo("Pending"))
        .body("trigger.branch", equalTo("feature-101"))
        .body("trigger.headSha", equalTo(SHA));

    given()
        .auth()
        .oauth2(writeToken)
        .contentType(ContentType.JSON)
        .body("{\"duration\": \"2h\"}")
        .post("/api/environments/" + name + "/extend")
        .then()
        .statusCode(200)
        .body("expiresAt", startsWith("20"));
    assertThat(annotation(name, EnvironmentRequests.EXPIRES_AT_ANNOTATION)).isNotNull();

    given()
        .auth()
        .oauth2(writeToken)
        .contentType(ContentType.JSON)
        .body("{\"duration\": \"10d\"}")
        .post("/api/environments/" + name + "/extend")
        .then()
        .statusCode(422)
        .contentType(startsWith("application/problem+json"))
        .body("type", equalTo("https://branchyard.dev/problems/extension-refused"));

    given()
        .auth()
        .oauth2(writeToken)
        .contentType(ContentType.JSON)
        .body("{\"component\": \"web\"}")
        .post("/api/environments/" + name + "/rebuild")
        .then()
        .statusCode(202);
    assertThat(annotation(name, EnvironmentRequests.REBUILD_ANNOTATION)).endsWith(";web");

    given()
        .auth()
        .oauth2(writeToken)
        .contentType(ContentType.JSON)
        .body("{\"component\": \"db\"}")
        .post("/api/environments/" + name + "/rebuild")
        .then()
        .statusCode(400)
        .body("detail", containsString("its components are web"));

    given().auth().oauth2(writeToken).delete("/api/environments/" + name).then().statusCode(202);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                admin.resources(Environment.class).inNamespace(NAMESPACE).withName(name).get()
                    == null);
    given()
        .get("/api/environments/" + name)
        .then()
        .statusCode(404)
        .body("environment", equalTo(name));
  }

  @Test
  void pagesThroughEnvironmentsOfASpec() {
    create(201);
    create(202);
    create(203);

    var first =
        given()
            .queryParam("spec", "blog")
            .queryParam("sort", "name")
            .queryParam("limit", 2)
            .get("/api/environments");
    first.then().statusCode(200).body("items.name", contains("blog-blog-pr201", "blog-blog-pr202"));
    String next = first.path("next");
    given()
        .urlEncodingEnabled(false)
        .get(next)
        .then()
        .statusCode(200)
        .body("items.name", hasItem("blog-blog-pr203"));
  }

  @Test
  void refusesChangesWithoutATokenOrWithAReadToken() {
    create(301);
    given()
        .contentType(ContentType.JSON)
        .body("{\"duration\": \"2h\"}")
        .post("/api/environments/blog-blog-pr301/extend")
        .then()
        .statusCode(401)
        .header("WWW-Authenticate", startsWith("Bearer"))
        .contentType(startsWith("application/problem+json"));
    given()
        .auth()
        .oauth2(readToken)
        .delete("/api/environments/blog-blog-pr301")
        .then()
        .statusCode(403)
        .contentType(startsWith("application/problem+json"));
    assertThat(
            admin
                .resources(Environment.class)
                .inNamespace(NAMESPACE)
                .withName("blog-blog-pr301")
                .get())
        .isNotNull();
  }

  @Test
  void answers400ProblemForAnInvalidDurationAnd404ForAnUnknownEnvironment() {
    create(401);
    given()
        .auth()
        .oauth2(writeToken)
        .contentType(ContentType.JSON)
        .body("{\"duration\": \"two hours\"}")
        .post("/api/environments/blog-blog-pr401/extend")
        .then()
        .statusCode(400)
        .contentType(startsWith("application/problem+json"))
        .body("type", equalTo("https://branchyard.dev/problems/invalid-duration"));
    given()
        .auth()
        .oauth2(writeToken)
        .contentType(ContentType.JSON)
        .body("{\"duration\": \"2h\"}")
        .post("/api/environments/no-such-env/extend")
        .then()
        .statusCode(404)
        .contentType(startsWith("application/problem+json"))
        .body("environment", equalTo("no-such-env"));
  }

  @Test
  void mintsATokenIntoTheSecretThatWorksAtOnce() {
    String minted =
        given()
            .auth()
            .oauth2(adminToken)
            .contentType(ContentType.JSON)
            .body("{\"name\": \"it-minted\", \"scope\": \"read\"}")
            .post("/api/tokens")
            .then()
            .statusCode(201)
            .extract()
            .path("token");
    String stored =
        new String(
            Base64.getDecoder()
                .decode(
                    admin
                        .secrets()
                        .inNamespace(NAMESPACE)
                        .withName(TOKENS_SECRET)
                        .get()
                        .getData()
                        .get("it-minted")),
            StandardCharsets.UTF_8);
    assertThat(stored).contains("sha256=" + ApiTokens.sha256(minted)).doesNotContain(minted);
    given().auth().oauth2(minted).get("/api/environments").then().statusCode(200);
    given().auth().oauth2(minted).delete("/api/environments/x").then().statusCode(403);
  }

  @Test
  void usesATokenMintedByTheScriptAndRefusesItOnceRevoked() throws Exception {
    String token = script("create", "--name", "it-script", "--scope", "write").strip();
    assertThat(token).startsWith("by_").hasSize(46);

    given().auth().oauth2(token).delete("/api/environments/none-such").then().statusCode(404);

    script("revoke", "--name", "it-script");
    given().auth().oauth2(token).get("/api/environments").then().statusCode(401);
  }

  private static String script(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("scripts/api-token.sh"));
    command.addAll(List.of(args));
    command.addAll(List.of("--namespace", NAMESPACE, "--secret", TOKENS_SECRET));
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(LocalPlatform.get().projectDir().toFile());
    builder.environment().put("KUBECONFIG", LocalPlatform.get().kubeconfig().toString());
    builder.redirectError(ProcessBuilder.Redirect.INHERIT);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as("scripts/api-token.sh " + String.join(" ", args)).isZero();
    return out;
  }

  @Test
  void listsImageBuildsNewestFirst() {
    String name = "webapi-" + BuildLogFixtures.shortId();
    BuildLogFixtures.createBuild(admin, NAMESPACE, name);

    given()
        .get("/api/builds")
        .then()
        .statusCode(200)
        .body("items.name", hasItem(name))
        .body(
            "items.find { it.name == '" + name + "' }.logs",
            equalTo("/api/builds/" + name + "/logs"));
    given()
        .queryParam("phase", "Exploded")
        .get("/api/builds")
        .then()
        .statusCode(400)
        .body("parameter", equalTo("phase"));
  }

  @Test
  void exportsEnvironmentPhasesAndTimeToReadyAsMetrics() {
    String name = create(501);
    setPhase(name, EnvironmentPhase.Building);
    setPhase(name, EnvironmentPhase.Ready);

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              String metrics =
                  given().get("/q/metrics").then().statusCode(200).extract().asString();
              assertThat(metrics)
                  .containsPattern("branchyard_environments\\{phase=\"Ready\"\\} [1-9]")
                  .contains("branchyard_environment_time_to_ready_seconds_count")
                  .contains("branchyard_environment_phase_seconds_count{phase=\"Building\"}")
                  .contains("branchyard_builds{phase=\"Pending\"}")
                  .contains("branchyard_registry_cache_total{result=\"hit\"}");
            });
  }

  private static void setPhase(String name, EnvironmentPhase phase) {
    var environments = admin.resources(Environment.class).inNamespace(NAMESPACE);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              Environment environment = environments.withName(name).get();
              environment.setStatus(
                  new EnvironmentStatus(
                      1L, phase, null, null, null, List.of(), null, List.of(), List.of(), List.of(),
                      List.of(), null, null));
              environments.resource(environment).updateStatus();
            });
    // Let the informer see each phase, as it would see the controller's separate writes.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> given().get("/api/environments/" + name).path("phase").equals(phase.name()));
  }

  private static String annotation(String name, String key) {
    Map<String, String> annotations =
        admin
            .resources(Environment.class)
            .inNamespace(NAMESPACE)
            .withName(name)
            .get()
            .getMetadata()
            .getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }
}

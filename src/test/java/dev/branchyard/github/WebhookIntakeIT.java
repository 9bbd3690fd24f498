package dev.branchyard.github;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.branchyard.chatops.PullRequestCommands.PullRequestComment;
import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentNames;
import dev.branchyard.lifecycle.EnvironmentRequests;
import dev.branchyard.lifecycle.Trigger;
import dev.branchyard.lifecycle.TriggerSource;
import dev.branchyard.testing.LocalPlatform;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Webhook deliveries through real HTTP into the running application, recorded as Environments on
 * the real API server (namespace {@value IntakePlatformResource#NAMESPACE}; no controller runs, so
 * what is checked is exactly what the intake recorded). No GitHub API is called by the intake, so
 * no stand-in for api.github.com is needed.
 */
@QuarkusTest
@TestProfile(WebhookIntakeIT.OnLocalPlatform.class)
class WebhookIntakeIT {

  static final String SECRET = "it-current-secret";
  static final String PREVIOUS_SECRET = "it-previous-secret";
  private static final String HEAD = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
  private static final String PUSHED = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";
  private static final ObjectMapper JSON = new ObjectMapper();

  public static class OnLocalPlatform implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(IntakePlatformResource.class));
    }

    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "branchyard.github.webhook-secret", SECRET,
          "branchyard.github.webhook-previous-secret", PREVIOUS_SECRET);
    }
  }

  /** Stands in for chatops: records what the intake hands over. */
  @ApplicationScoped
  public static class HandedOffComments {
    static final List<PullRequestComment> SEEN = Collections.synchronizedList(new ArrayList<>());

    void onComment(@ObservesAsync PullRequestComment comment) {
      SEEN.add(comment);
    }
  }

  private static KubernetesClient client;

  @Inject EnvironmentRequests requests;

  @ConfigProperty(name = "quarkus.http.test-port")
  int port;

  @BeforeAll
  static void connectAndClearOurNamespace() {
    client = LocalPlatform.get().newClient();
    environments().delete();
    await().atMost(Duration.ofSeconds(30)).until(() -> environments().list().getItems().isEmpty());
  }

  @AfterAll
  static void clearOurNamespace() {
    environments().delete();
    client.close();
  }

  // ---- signatures, repeats, sizes ------------------------------------------------------------

  @Test
  void acceptsADeliverySignedWithTheCurrentSecret() {
    ObjectNode opened = pullRequest("pull_request.opened.json", 101);

    Response response = deliver("pull_request", newId(), SECRET, bytes(opened));

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(response.jsonPath().getString("result")).isEqualTo("recorded");
    assertThat(environment(101)).isPresent();
  }

  @Test
  void rejectsDeliveryWithBadSignatureAndRecordsNothing() {
    ObjectNode opened = pullRequest("pull_request.opened.json", 102);

    Response response = deliver("pull_request", newId(), "someone-else", bytes(opened));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(environment(102)).isEmpty();
  }

  @Test
  void rejectsDeliveryWithoutSignature() {
    byte[] body = bytes(pullRequest("pull_request.opened.json", 103));

    Response response =
        given()
            .contentType("application/json")
            .header("X-GitHub-Event", "pull_request")
            .header("X-GitHub-Delivery", newId())
            .body(body)
            .post("/webhooks/github");

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(environment(103)).isEmpty();
  }

  @Test
  void acceptsADeliverySignedWithThePreviousSecretDuringARotation() {
    Response response =
        deliver(
            "pull_request",
            newId(),
            PREVIOUS_SECRET,
            bytes(pullRequest("pull_request.opened.json", 104)));

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(environment(104)).isPresent();
  }

  @Test
  void acknowledgesARedeliveryAndIgnoresIt() {
    String id = newId();
    byte[] body = bytes(pullRequest("pull_request.opened.json", 105));
    assertThat(deliver("pull_request", id, SECRET, body).statusCode()).isEqualTo(202);
    requests.destroy(
        EnvironmentRequests.Selector.pullRequest("acme/shop-web", 105), "test", "test");
    await().atMost(Duration.ofSeconds(10)).until(() -> environment(105).isEmpty());

    Response again = deliver("pull_request", id, SECRET, body);

    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.jsonPath().getString("result")).isEqualTo("duplicate");
    assertThat(environment(105)).isEmpty();
  }

  @Test
  void refusesABodyOver25MegabytesWith413() throws Exception {
    byte[] huge = new byte[25 * 1024 * 1024 + 1];
    java.util.Arrays.fill(huge, (byte) ' ');
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/github"))
            .header("Content-Type", "application/json")
            .header("X-GitHub-Event", "pull_request")
            .header("X-GitHub-Delivery", newId())
            .header("X-Hub-Signature-256", WebhookSignature.sign(SECRET, huge))
            .POST(HttpRequest.BodyPublishers.ofByteArray(huge))
            .build();

    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(413);
  }

  @Test
  void aSenderThatWritesTheWholeOversizedBodyBeforeReadingGets413() throws Exception {
    // As a sender without Expect: 100-continue does: the body first, then the answer.
    byte[] huge = new byte[25 * 1024 * 1024 + 1];
    java.util.Arrays.fill(huge, (byte) ' ');
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(60_000);
      var out = socket.getOutputStream();
      out.write(
          ("POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  + "Content-Type: application/json\r\nX-GitHub-Event: pull_request\r\n"
                  + "X-GitHub-Delivery: "
                  + newId()
                  + "\r\nContent-Length: "
                  + huge.length
                  + "\r\n\r\n")
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      out.write(huge);
      out.flush();
      String statusLine =
          new java.io.BufferedReader(
                  new java.io.InputStreamReader(
                      socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII))
              .readLine();

      assertThat(statusLine).startsWith("HTTP/1.1 413");
    }
  }

  // ---- each event's effect on Environments ------------------------------------------------------

  @Test
  void labelGatesCreationAndRemovingTheLabelDestroys() {
    ObjectNode opened = pullRequest("pull_request.opened.json", 110);
    ((ArrayNode) opened.at("/pull_request/labels")).removeAll();
    assertThat(deliver("pull_request", newId(), SECRET, bytes(opened)).statusCode()).isEqualTo(202);
    assertThat(environment(110)).isEmpty();

    deliver("pull_request", newId(), SECRET, bytes(pullRequest("pull_request.labeled.json", 110)));
    assertThat(environment(110)).isPresent();

    deliver(
        "pull_request", newId(), SECRET, bytes(pullRequest("pull_request.unlabeled.json", 110)));
    await().atMost(Duration.ofSeconds(10)).until(() -> environment(110).isEmpty());
  }

  @Test
  void synchronizeMovesTheEnvironmentAndAnOlderOneArrivingLateDoesNot() {
    deliver(
        "pull_request", newId(), SECRET, bytes(pullRequest("pull_request.synchronize.json", 111)));

    Response late =
        deliver(
            "pull_request", newId(), SECRET, bytes(pullRequest("pull_request.opened.json", 111)));

    assertThat(late.statusCode()).isEqualTo(202);
    assertThat(late.jsonPath().getList("details", String.class))
        .contains("shop-shop-web-pr111: stale");
    Environment environment = environment(111).orElseThrow();
    assertThat(environment.getSpec().trigger().headSha()).isEqualTo(PUSHED);
    assertThat(environment.getMetadata().getAnnotations())
        .containsEntry(EnvironmentRequests.REQUESTED_AT_ANNOTATION, "2026-11-20T10:02:47Z");
  }

  @Test
  void openedRecordsTheEnvironmentAtTheHeadAndClosedDestroysIt() {
    deliver("pull_request", newId(), SECRET, bytes(pullRequest("pull_request.opened.json", 112)));
    Environment environment = environment(112).orElseThrow();
    Trigger trigger = environment.getSpec().trigger();
    assertThat(trigger.headSha()).isEqualTo(HEAD);
    assertThat(trigger.branch()).isEqualTo("feature/remember-address");
    assertThat(trigger.source()).isEqualTo(TriggerSource.PullRequest);
    assertThat(environment.getMetadata().getLabels())
        .containsEntry(EnvironmentRequests.PULL_REQUEST_LABEL, "112");

    deliver("pull_request", newId(), SECRET, bytes(pullRequest("pull_request.closed.json", 112)));

    await().atMost(Duration.ofSeconds(10)).until(() -> environment(112).isEmpty());
  }

  @Test
  void baseBranchChangeMovesTheEnvironmentToTheNewBase() {
    deliver("pull_request", newId(), SECRET, bytes(pullRequest("pull_request.opened.json", 113)));

    deliver("pull_request", newId(), SECRET, bytes(pullRequest("pull_request.edited.json", 113)));

    assertThat(environment(113).orElseThrow().getSpec().trigger().baseBranch())
        .isEqualTo("release/2026.11");
  }

  @Test
  void forkPullRequestGetsNoEnvironmentUntilApproved() {
    ObjectNode fork = pullRequest("pull_request.opened.fork.json", 114);

    Response response = deliver("pull_request", newId(), SECRET, bytes(fork));

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(response.jsonPath().getString("result")).isEqualTo("ignored");
    assertThat(environment(114)).isEmpty();

    // What chatops records on ok-to-test; from then on, pushes to the fork PR move it.
    requests.upsert(
        new EnvironmentRequests.Upsert(
            "shop",
            new Trigger(
                TriggerSource.Chat,
                "acme/shop-web",
                114,
                "fix/typo",
                "main",
                "a5c3785ed8d6a35868bc169f07e40e889087fd2e",
                "contributor",
                true),
            Optional.empty(),
            Instant.parse("2026-11-20T09:15:00Z")));
    String name = EnvironmentNames.forPullRequest("shop", "acme/shop-web", 114);
    environments()
        .withName(name)
        .edit(
            e -> {
              e.getMetadata()
                  .getAnnotations()
                  .put(EnvironmentRequests.FORK_APPROVED_BY_ANNOTATION, "monalisa");
              return e;
            });
    ObjectNode pushed = pullRequest("pull_request.opened.fork.json", 114);
    pushed.put("action", "synchronize");
    ((ObjectNode) pushed.get("pull_request")).put("updated_at", "2026-11-20T10:00:00Z");
    ((ObjectNode) pushed.at("/pull_request/head")).put("sha", PUSHED);

    deliver("pull_request", newId(), SECRET, bytes(pushed));

    Trigger trigger = environment(114).orElseThrow().getSpec().trigger();
    assertThat(trigger.headSha()).isEqualTo(PUSHED);
    assertThat(trigger.fork()).isTrue();
  }

  @Test
  void pushMovesTheEnvironmentThatFollowsTheBranch() {
    requests.upsert(
        new EnvironmentRequests.Upsert(
            "shop",
            new Trigger(
                TriggerSource.Api, "acme/shop-web", null, "develop", null, HEAD, "octocat", false),
            Optional.empty(),
            Instant.parse("2026-11-20T09:00:00Z")));

    Response response = deliver("push", newId(), SECRET, file("push.json"));

    assertThat(response.jsonPath().getString("result")).isEqualTo("recorded");
    String name = EnvironmentNames.forBranch("shop", "acme/shop-web", "develop");
    assertThat(requests.get(name).orElseThrow().getSpec().trigger().headSha())
        .isEqualTo("3c8e5a4bf3e8d1c2f7b9a0e1d2c3b4a5f6e7d8c9");
  }

  @Test
  void handsACommentCommandToChatopsAsAnAsyncEvent() {
    String id = newId();

    Response response = deliver("issue_comment", id, SECRET, file("issue_comment.created.json"));

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(response.jsonPath().getString("result")).isEqualTo("command");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> HandedOffComments.SEEN.stream().anyMatch(c -> c.deliveryId().equals(id)));
  }

  @Test
  void answersPingAndNotesInstallationsAndIgnoresOtherEvents() {
    assertThat(deliver("ping", newId(), SECRET, file("ping.json")).statusCode()).isEqualTo(200);
    assertThat(
            deliver("installation", newId(), SECRET, file("installation.created.json"))
                .statusCode())
        .isEqualTo(202);
    assertThat(deliver("star", newId(), SECRET, "{}".getBytes()).statusCode()).isEqualTo(202);
  }

  @Test
  void countsDeliveriesByEventAndResult() {
    deliver("ping", newId(), SECRET, file("ping.json"));
    deliver("ping", newId(), "wrong", file("ping.json"));

    String metrics = given().get("/q/metrics").asString();

    assertThat(metrics)
        .containsPattern(
            "branchyard_webhook_deliveries_total\\{[^}]*event=\"ping\"[^}]*result=\"ping\"[^}]*\\}"
                + " [1-9]")
        .containsPattern(
            "branchyard_webhook_deliveries_total\\{[^}]*event=\"ping\"[^}]*"
                + "result=\"unauthorized\"[^}]*\\} [1-9]");
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static Response deliver(String event, String id, String secret, byte[] body) {
    return given()
        .contentType("application/json")
        .header("X-GitHub-Event", event)
        .header("X-GitHub-Delivery", id)
        .header("X-Hub-Signature-256", WebhookSignature.sign(secret, body))
        .body(body)
        .post("/webhooks/github");
  }

  /** A sample pull_request payload, renumbered so each test has its own PR. */
  private static ObjectNode pullRequest(String file, int number) {
    ObjectNode payload = Webhooks.payload(file);
    payload.put("number", number);
    ((ObjectNode) payload.get("pull_request")).put("number", number);
    return payload;
  }

  private static Optional<Environment> environment(int number) {
    return Optional.ofNullable(
        environments()
            .withName(EnvironmentNames.forPullRequest("shop", "acme/shop-web", number))
            .get());
  }

  private static io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<
          Environment,
          io.fabric8.kubernetes.api.model.KubernetesResourceList<Environment>,
          io.fabric8.kubernetes.client.dsl.Resource<Environment>>
      environments() {
    return client.resources(Environment.class).inNamespace(IntakePlatformResource.NAMESPACE);
  }

  private static String newId() {
    return UUID.randomUUID().toString();
  }

  private static byte[] file(String name) {
    try {
      return Files.readAllBytes(Path.of("webhooks", name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] bytes(ObjectNode payload) {
    try {
      return JSON.writeValueAsBytes(payload);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

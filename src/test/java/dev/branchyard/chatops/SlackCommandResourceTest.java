package dev.branchyard.chatops;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /slack/commands} through real HTTP into the running application. A WireMock server
 * ({@link ChatopsStandIns}) stands in for Slack's {@code response_url} and for api.github.com; its
 * stubs follow Slack's and GitHub's documented request and response shapes. Requests are signed as
 * Slack documents it (v0, HMAC-SHA256 of {@code v0:<timestamp>:<body>}).
 */
@QuarkusTest
@TestProfile(SlackCommandResourceTest.SlackConfigured.class)
class SlackCommandResourceTest {

  private static final String SECRET = "chatops-test-signing-secret";
  private static final ObjectMapper JSON = new ObjectMapper();

  public static class SlackConfigured implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "quarkus.kubernetes-client.api-server-url", "https://127.0.0.1:9",
          "branchyard.github.feedback.enabled", "false",
          "branchyard.chatops.slack.signing-secret", SECRET,
          "branchyard.chatops.slack.users.U2CERLKJA", "octocat",
          "branchyard.chatops.slack.users.U0G9QF9C6", "monalisa");
    }

    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(ChatopsStandIns.class));
    }
  }

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TestHTTPResource("/slack/commands")
  URI url;

  @BeforeEach
  void resetStandIns() {
    ChatopsStandIns.server().resetAll();
    ChatopsStandIns.slackTakesResponses();
  }

  @Test
  void answersSignedHelpAtOnceWithAnEphemeralMessage() throws Exception {
    long started = System.nanoTime();

    Answer answer = signed(form("U2CERLKJA", "help", "help"), Instant.now());

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().path("response_type").asText()).isEqualTo("ephemeral");
    assertThat(answer.json().path("text").asText())
        .contains("/branchyard <owner/repo>#<number> extend <duration>");
  }

  @Test
  void postsTheResultOfARefusedCommandToTheResponseUrl() throws Exception {
    ChatopsStandIns.pullRequest(4201);
    ChatopsStandIns.permission("monalisa", "read");

    Answer ack = signed(form("U0G9QF9C6", "acme/shop-web#4201 destroy", "refused"), Instant.now());

    assertThat(ack.status()).isEqualTo(200);
    assertThat(ack.json().path("response_type").asText()).isEqualTo("ephemeral");
    assertThat(ack.json().path("text").asText())
        .isEqualTo(
            "Running `down` on acme/shop-web#4201 as GitHub user @monalisa; the result follows"
                + " here.");
    JsonNode answer = awaitSlackAnswer("refused");
    assertThat(answer.path("response_type").asText()).isEqualTo("ephemeral");
    assertThat(answer.path("text").asText())
        .startsWith("acme/shop-web#4201: @monalisa cannot run `down`")
        .contains("@monalisa has read permission on acme/shop-web");
  }

  @Test
  void postsThatGitHubKnowsNoSuchPullRequest() throws Exception {
    ChatopsStandIns.pullRequest(4201);

    assertThat(
            signed(form("U2CERLKJA", "acme/shop-web#999 status", "unknown"), Instant.now())
                .status())
        .isEqualTo(200);

    assertThat(awaitSlackAnswer("unknown").path("text").asText())
        .contains("GitHub knows no pull request #999 in acme/shop-web");
  }

  @Test
  void refusesAnUnmappedSlackUserAtOnce() throws Exception {
    Answer answer = signed(form("U999UNKNOWN", "acme/shop-web#4201 up", "unmapped"), Instant.now());

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().path("response_type").asText()).isEqualTo("ephemeral");
    assertThat(answer.json().path("text").asText())
        .contains("does not know your GitHub login (Slack user U999UNKNOWN")
        .contains("branchyard.chatops.slack.users.U999UNKNOWN=");
    assertThat(slackAnswers()).isEmpty();
  }

  @Test
  void rejectsABadSignatureWith401() throws Exception {
    byte[] body = form("U2CERLKJA", "acme/shop-web#4201 down", "forged");
    String timestamp = Long.toString(Instant.now().getEpochSecond());

    Answer answer = post(body, timestamp, SlackSignature.sign("not-the-secret", timestamp, body));

    assertThat(answer.status()).isEqualTo(401);
    assertThat(answer.body()).contains("X-Slack-Signature does not match");
  }

  @Test
  void rejectsABodyChangedAfterSigning() throws Exception {
    byte[] body = form("U2CERLKJA", "acme/shop-web#4201 status", "tampered");
    String timestamp = Long.toString(Instant.now().getEpochSecond());
    String signature = SlackSignature.sign(SECRET, timestamp, body);

    Answer answer =
        post(form("U2CERLKJA", "acme/shop-web#4201 down", "tampered"), timestamp, signature);

    assertThat(answer.status()).isEqualTo(401);
  }

  @Test
  void rejectsARequestWithoutSignatureHeaders() throws Exception {
    Answer answer = post(form("U2CERLKJA", "help", "unsigned"), null, null);

    assertThat(answer.status()).isEqualTo(401);
    assertThat(answer.body()).contains("no X-Slack-Request-Timestamp header");
  }

  @Test
  void rejectsACorrectlySignedRequestOlderThanTheReplayWindow() throws Exception {
    Answer answer =
        signed(form("U2CERLKJA", "help", "old"), Instant.now().minus(Duration.ofMinutes(6)));

    assertThat(answer.status()).isEqualTo(401);
    assertThat(answer.body())
        .startsWith("X-Slack-Request-Timestamp is 36")
        .contains("behind Branchyard's clock, outside the replay window");
  }

  @Test
  void rejectsACorrectlySignedRequestFromTheFuture() throws Exception {
    Answer answer =
        signed(form("U2CERLKJA", "help", "future"), Instant.now().plus(Duration.ofMinutes(6)));

    assertThat(answer.status()).isEqualTo(401);
    assertThat(answer.body()).contains("ahead of Branchyard's clock, outside the replay window");
  }

  @Test
  void acceptsARequestJustInsideTheReplayWindow() throws Exception {
    assertThat(
            signed(form("U2CERLKJA", "help", "late"), Instant.now().minus(Duration.ofMinutes(4)))
                .status())
        .isEqualTo(200);
  }

  private Answer signed(byte[] body, Instant sentAt) throws Exception {
    String timestamp = Long.toString(sentAt.getEpochSecond());
    return post(body, timestamp, SlackSignature.sign(SECRET, timestamp, body));
  }

  /** Posts the exact bytes that were signed, as Slack does. */
  private Answer post(byte[] body, String timestamp, String signature) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (timestamp != null) {
      request.header(SlackSignature.TIMESTAMP_HEADER, timestamp);
    }
    if (signature != null) {
      request.header(SlackSignature.SIGNATURE_HEADER, signature);
    }
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(
        response.statusCode(),
        response.headers().firstValue("Content-Type").orElse(""),
        response.body());
  }

  /** Branchyard's immediate answer. */
  private record Answer(int status, String contentType, String body) {
    JsonNode json() throws Exception {
      assertThat(contentType).startsWith("application/json");
      return JSON.readTree(body);
    }
  }

  private static JsonNode awaitSlackAnswer(String responsePath) throws Exception {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                ChatopsStandIns.server()
                    .verify(
                        postRequestedFor(urlPathMatching("/slack/response/" + responsePath))
                            .withHeader("Content-Type", containing("application/json"))));
    List<LoggedRequest> answers =
        ChatopsStandIns.server()
            .findAll(postRequestedFor(urlPathMatching("/slack/response/" + responsePath)));
    assertThat(answers).hasSize(1);
    return JSON.readTree(answers.get(0).getBodyAsString());
  }

  private static List<LoggedRequest> slackAnswers() {
    return ChatopsStandIns.server()
        .findAll(postRequestedFor(urlPathMatching("/slack/response/.*")));
  }

  private static com.github.tomakehurst.wiremock.matching.StringValuePattern containing(
      String text) {
    return com.github.tomakehurst.wiremock.client.WireMock.containing(text);
  }

  /** A slash command's form body with Slack's documented fields; answers go to {@code path}. */
  private static byte[] form(String userId, String text, String responsePath) {
    String responseUrl = ChatopsStandIns.server().baseUrl() + "/slack/response/" + responsePath;
    return ("token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0001&team_domain=example"
            + "&channel_id=C2147483705&channel_name=test&user_id="
            + userId
            + "&user_name=roadrunner&command=%2Fbranchyard&text="
            + URLEncoder.encode(text, StandardCharsets.UTF_8)
            + "&api_app_id=A123456&response_url="
            + URLEncoder.encode(responseUrl, StandardCharsets.UTF_8)
            + "&trigger_id=13345224609.738474920.8088930838d88f008e0")
        .getBytes(StandardCharsets.UTF_8);
  }
}

package dev.branchyard.chatops;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.branchyard.chatops.PullRequestCommands.PullRequestComment;
import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentNames;
import dev.branchyard.lifecycle.EnvironmentRequests;
import dev.branchyard.lifecycle.TriggerSource;
import dev.branchyard.testing.LocalPlatformResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A {@code /branchyard} PR comment end to end: handed over as the CDI async event the webhook
 * intake fires, answered on GitHub, and carried out on the local platform's real API server. A
 * WireMock server ({@link ChatopsStandIns}) stands in for api.github.com with answers shaped as
 * GitHub's REST API documents them; the Environment resources are real. No controller runs in
 * tests, so the Environment is created and deleted but never deployed.
 */
@QuarkusTest
@TestProfile(PullRequestCommentCommandsIT.OnLocalPlatform.class)
class PullRequestCommentCommandsIT {

  private static final String NAMESPACE = "chatops-it";
  private static final int NUMBER = 6061;
  private static final String HEAD = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
  private static final String ENVIRONMENT =
      EnvironmentNames.forPullRequest("shop", ChatopsStandIns.REPO, NUMBER);
  private static final int FORK_NUMBER = 6062;
  private static final String FORK_ENVIRONMENT =
      EnvironmentNames.forPullRequest("shop", ChatopsStandIns.REPO, FORK_NUMBER);
  private static final String SLACK_SECRET = "chatops-it-signing-secret";
  private static final ObjectMapper JSON = new ObjectMapper();

  public static class OnLocalPlatform implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(
          new TestResourceEntry(LocalPlatformResource.class),
          new TestResourceEntry(ChatopsStandIns.class));
    }

    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "quarkus.kubernetes-client.namespace",
          NAMESPACE,
          "branchyard.github.feedback.enabled",
          "false",
          "branchyard.chatops.slack.signing-secret",
          SLACK_SECRET,
          "branchyard.chatops.slack.users.U2CERLKJA",
          "octocat");
    }
  }

  @Inject Event<PullRequestComment> comments;
  @Inject PullRequestCommands commands;
  @Inject KubernetesClient client;

  @TestHTTPResource("/slack/commands")
  URI slack;

  @BeforeEach
  void cleanSlate() {
    assertThat(client.getNamespace()).isEqualTo(NAMESPACE);
    if (client.namespaces().withName(NAMESPACE).get() == null) {
      client
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
          .create();
    }
    deleteEnvironment();
    ChatopsStandIns.server().resetAll();
    ChatopsStandIns.pullRequest(NUMBER);
    ChatopsStandIns.pullRequest(FORK_NUMBER, true);
    ChatopsStandIns.slackTakesResponses();
    ChatopsStandIns.permission("octocat", "write");
    ChatopsStandIns.permission("monalisa", "read");
  }

  @AfterEach
  void deleteEnvironment() {
    client.resources(Environment.class).inNamespace(NAMESPACE).withName(ENVIRONMENT).delete();
    client.resources(Environment.class).inNamespace(NAMESPACE).withName(FORK_ENVIRONMENT).delete();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> environment() == null && environment(FORK_ENVIRONMENT) == null);
  }

  @Test
  void forkPullRequestGetsAnEnvironmentOnlyOnceAMaintainerSaysOkToTest() {
    comments.fireAsync(forkComment(9101, "octocat", "/branchyard up"));
    assertThat(awaitReply(FORK_NUMBER, "comes from a fork")).contains("`/branchyard ok-to-test`");
    assertThat(environment(FORK_ENVIRONMENT)).isNull();

    comments.fireAsync(forkComment(9102, "monalisa", "/branchyard ok-to-test"));
    assertThat(awaitReply(FORK_NUMBER, "@monalisa cannot run `ok-to-test`")).isNotEmpty();
    assertThat(environment(FORK_ENVIRONMENT)).isNull();

    comments.fireAsync(forkComment(9103, "octocat", "/branchyard ok-to-test"));
    assertThat(awaitReply(FORK_NUMBER, "Approved by @octocat"))
        .contains("without the stack's secrets");
    Environment approved = environment(FORK_ENVIRONMENT);
    assertThat(approved.getSpec().trigger().fork()).isTrue();
    assertThat(approved.getMetadata().getAnnotations())
        .containsEntry(EnvironmentRequests.FORK_APPROVED_BY_ANNOTATION, "octocat");

    // Once approved, up works on the fork PR too, and keeps the approval.
    comments.fireAsync(forkComment(9104, "octocat", "/branchyard up"));
    assertThat(awaitReply(FORK_NUMBER, "`up` on #" + FORK_NUMBER)).contains("already at 6dcb09b");
    assertThat(environment(FORK_ENVIRONMENT).getMetadata().getAnnotations())
        .containsEntry(EnvironmentRequests.FORK_APPROVED_BY_ANNOTATION, "octocat");
  }

  @Test
  void slackStatusShowsTheEnvironmentThroughTheResponseUrl() throws Exception {
    comments.fireAsync(comment(9201, "octocat", "/branchyard up"));
    awaitReply("`up` on #" + NUMBER);

    byte[] body =
        ("user_id=U2CERLKJA&user_name=octocat&command=%2Fbranchyard&text=acme%2Fshop-web%23"
                + NUMBER
                + "+status&response_url="
                + URLEncoder.encode(
                    ChatopsStandIns.server().baseUrl() + "/slack/response/it",
                    StandardCharsets.UTF_8))
            .getBytes(StandardCharsets.UTF_8);
    String timestamp = Long.toString(Instant.now().getEpochSecond());
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(slack)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header(SlackSignature.TIMESTAMP_HEADER, timestamp)
                    .header(
                        SlackSignature.SIGNATURE_HEADER,
                        SlackSignature.sign(SLACK_SECRET, timestamp, body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("Running `status`");

    String answer =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    ChatopsStandIns.server()
                        .findAll(postRequestedFor(urlEqualTo("/slack/response/it")))
                        .stream()
                        .map(r -> field(r, "text"))
                        .findFirst()
                        .orElse(null),
                text -> text != null);
    assertThat(answer)
        .startsWith("acme/shop-web#" + NUMBER + ": Environments of #" + NUMBER)
        .contains("`" + ENVIRONMENT + "`")
        .contains("at 6dcb09b")
        .contains("/environments/" + ENVIRONMENT);
  }

  @Test
  void commentsCreateExtendAndDestroyTheEnvironmentAndAreAnsweredOnThePullRequest() {
    // A reader cannot bring it up.
    comments.fireAsync(comment(9001, "monalisa", "/branchyard up"));
    assertThat(awaitReply("@monalisa cannot run `up`")).contains("@monalisa has read permission");
    awaitReaction(9001, "-1");
    assertThat(environment()).isNull();

    // A writer can: the Environment appears at the PR's head, requested by chat.
    comments.fireAsync(comment(9002, "octocat", "Thanks!\n/branchyard up"));
    assertThat(awaitReply("`up` on #" + NUMBER))
        .contains("`" + ENVIRONMENT + "` (shop): created at 6dcb09b");
    awaitReaction(9002, "+1");
    Environment created = environment();
    assertThat(created.getSpec().trigger().headSha()).isEqualTo(HEAD);
    assertThat(created.getSpec().trigger().source()).isEqualTo(TriggerSource.Chat);
    assertThat(created.getSpec().trigger().requestedBy()).isEqualTo("octocat");
    assertThat(created.getMetadata().getLabels())
        .containsEntry(EnvironmentRequests.PULL_REQUEST_LABEL, Integer.toString(NUMBER));

    // The same comment delivered again is not acted on again.
    commands.onComment(
        new PullRequestComment(
            ChatopsStandIns.REPO, NUMBER, 9002, "octocat", "/branchyard up", "redelivery"));
    assertThat(replies()).filteredOn(r -> r.contains("`up` on #")).hasSize(1);

    // Extensions within the stack's max (3d) move the expiry; beyond it they are refused.
    comments.fireAsync(comment(9003, "octocat", "/branchyard extend 2h"));
    assertThat(awaitReply("`extend 2h` on #" + NUMBER)).contains("now expires");
    assertThat(environment().getMetadata().getAnnotations())
        .containsKey(EnvironmentRequests.EXPIRES_AT_ANNOTATION);
    comments.fireAsync(comment(9004, "octocat", "/branchyard extend 5d"));
    assertThat(awaitReply("`extend 5d` on #" + NUMBER)).contains("not extended");
    awaitReaction(9004, "-1");

    // Destroy deletes it.
    comments.fireAsync(comment(9005, "octocat", "/branchyard destroy"));
    assertThat(awaitReply("`down` on #" + NUMBER)).contains("destroying `" + ENVIRONMENT + "`");
    await().atMost(Duration.ofSeconds(60)).until(() -> environment() == null);
  }

  private Environment environment() {
    return environment(ENVIRONMENT);
  }

  private Environment environment(String name) {
    return client.resources(Environment.class).inNamespace(NAMESPACE).withName(name).get();
  }

  private static PullRequestComment forkComment(long id, String author, String body) {
    return new PullRequestComment(
        ChatopsStandIns.REPO, FORK_NUMBER, id, author, body, "delivery-" + id);
  }

  private static PullRequestComment comment(long id, String author, String body) {
    return new PullRequestComment(ChatopsStandIns.REPO, NUMBER, id, author, body, "delivery-" + id);
  }

  /** Waits for a reply comment containing {@code text} and returns it. */
  private static String awaitReply(String text) {
    return awaitReply(NUMBER, text);
  }

  private static String awaitReply(int number, String text) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> replies(number).stream().filter(r -> r.contains(text)).findFirst().orElse(null),
            reply -> reply != null);
  }

  private static void awaitReaction(long commentId, String content) {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        ChatopsStandIns.server()
                            .findAll(
                                postRequestedFor(
                                    urlEqualTo(
                                        "/repos/"
                                            + ChatopsStandIns.REPO
                                            + "/issues/comments/"
                                            + commentId
                                            + "/reactions")))
                            .stream()
                            .map(r -> field(r, "content")))
                    .containsExactly(content));
  }

  /** The bodies of the reply comments posted to the pull request, as GitHub received them. */
  private static List<String> replies() {
    return replies(NUMBER);
  }

  private static List<String> replies(int number) {
    return ChatopsStandIns.server()
        .findAll(
            postRequestedFor(
                urlEqualTo("/repos/" + ChatopsStandIns.REPO + "/issues/" + number + "/comments")))
        .stream()
        .map(r -> field(r, "body"))
        .toList();
  }

  private static String field(LoggedRequest request, String name) {
    try {
      return JSON.readTree(request.getBodyAsString()).path(name).asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

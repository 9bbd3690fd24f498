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
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
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
          "false");
    }
  }

  @Inject Event<PullRequestComment> comments;
  @Inject PullRequestCommands commands;
  @Inject KubernetesClient client;

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
    ChatopsStandIns.permission("octocat", "write");
    ChatopsStandIns.permission("monalisa", "read");
  }

  @AfterEach
  void deleteEnvironment() {
    client.resources(Environment.class).inNamespace(NAMESPACE).withName(ENVIRONMENT).delete();
    await().atMost(Duration.ofSeconds(60)).until(() -> environment() == null);
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
    return client.resources(Environment.class).inNamespace(NAMESPACE).withName(ENVIRONMENT).get();
  }

  private static PullRequestComment comment(long id, String author, String body) {
    return new PullRequestComment(ChatopsStandIns.REPO, NUMBER, id, author, body, "delivery-" + id);
  }

  /** Waits for a reply comment containing {@code text} and returns it. */
  private static String awaitReply(String text) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> replies().stream().filter(r -> r.contains(text)).findFirst().orElse(null),
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
    return ChatopsStandIns.server()
        .findAll(
            postRequestedFor(
                urlEqualTo("/repos/" + ChatopsStandIns.REPO + "/issues/" + NUMBER + "/comments")))
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

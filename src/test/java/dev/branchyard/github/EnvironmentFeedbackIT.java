package dev.branchyard.github;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.branchyard.github.FeedbackSnapshots.NAME;
import static dev.branchyard.github.FeedbackSnapshots.sha;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentPhase;
import dev.branchyard.platform.ClusterManifests;
import dev.branchyard.testing.LocalPlatform;
import dev.branchyard.testing.LocalPlatformExtension;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The feedback watcher on a real API server: an Environment created, its status moved to Ready (by
 * the test, standing in for the controller, which is not running here) and deleted, reported to a
 * WireMock stand-in for api.github.com whose stubs follow GitHub's REST API documentation. What was
 * sent is recorded on the Environment, and the teardown is reported after it is gone.
 */
@ExtendWith(LocalPlatformExtension.class)
class EnvironmentFeedbackIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);

  private KubernetesClient admin;
  private KubernetesClient client;
  private String namespace;
  private GitHubStandIn github;
  private EnvironmentFeedbackWatcher watcher;

  @BeforeAll
  static void installCrds(LocalPlatform platform, KubernetesClient admin) {
    ClusterManifests.installCrds(admin, platform.projectDir());
  }

  @BeforeEach
  void start(LocalPlatform platform, KubernetesClient admin) {
    this.admin = admin;
    namespace = "feedback-" + UUID.randomUUID().toString().substring(0, 8);
    admin
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    Config config = platform.clientConfig();
    config.setNamespace(namespace);
    client = new KubernetesClientBuilder().withConfig(config).build();
    github = new GitHubStandIn();
    stubGitHub();
    GitHubConnections connections =
        new GitHubConnections(
            github.apiUrl(),
            new GitHubConnections.Credentials.Token("ghp_test"),
            Duration.ofSeconds(5),
            Clock.systemUTC());
    watcher =
        new EnvironmentFeedbackWatcher(
            client,
            connections,
            new EnvironmentFeedbackWatcher.Settings(
                true,
                2,
                new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1)),
                Duration.ofMinutes(1)),
            () -> true,
            Clock.systemUTC(),
            "https://by.example.com");
    watcher.start();
  }

  @AfterEach
  void stop() {
    watcher.stop();
    client.close();
    admin.namespaces().withName(namespace).delete();
    github.close();
  }

  @Test
  void reportsAnEnvironmentFromCreationToTeardownAndRecordsWhatWasSent() {
    Environment environment = new Environment(NAME, FeedbackSnapshots.spec(sha(1)));
    environment.getMetadata().setLabels(Map.of("branchyard.dev/spec", "shop"));
    client.resource(environment).create();

    await().atMost(WAIT).until(() -> github.server.findAll(statuses()).size() == 1);
    Environment created = environments().withName(NAME).get();
    created.setStatus(FeedbackSnapshots.status(EnvironmentPhase.Ready, sha(1), 1));
    environments().resource(created).updateStatus();

    await().atMost(WAIT).until(() -> github.server.findAll(statuses()).size() == 2);
    await()
        .atMost(WAIT)
        .until(
            () ->
                FeedbackUpdate.parseRecorded(
                            environments()
                                .withName(NAME)
                                .get()
                                .getMetadata()
                                .getAnnotations()
                                .get(FeedbackLedger.ANNOTATION))
                        .size()
                    == 3);
    await().atMost(WAIT).until(() -> watcher.backlog() == 0);

    environments().withName(NAME).delete();

    await()
        .atMost(WAIT)
        .until(
            () ->
                bodies(deploymentStatuses()).stream()
                    .anyMatch(b -> b.get("state").asText().equals("inactive")));
    await()
        .atMost(WAIT)
        .until(
            () ->
                bodies(patchRequestedFor(urlEqualTo("/repos/octo-org/shop/issues/comments/1001")))
                    .stream()
                    .anyMatch(b -> b.get("body").asText().contains("was destroyed")));
    assertThat(bodies(statuses()))
        .extracting(b -> b.get("state").asText())
        .containsExactly("pending", "success");
    assertThat(bodies(deploymentStatuses()))
        .extracting(b -> b.get("state").asText())
        .containsExactly("queued", "success", "inactive");
    assertThat(
            github.server.findAll(
                postRequestedFor(urlEqualTo("/repos/octo-org/shop/issues/42/comments"))))
        .hasSize(1);
    assertThat(github.unmatched()).isEmpty();
  }

  private io.fabric8.kubernetes.client.dsl.MixedOperation<
          Environment,
          io.fabric8.kubernetes.api.model.KubernetesResourceList<Environment>,
          io.fabric8.kubernetes.client.dsl.Resource<Environment>>
      environments() {
    return client.resources(Environment.class);
  }

  private void stubGitHub() {
    github.server.stubFor(
        get(urlEqualTo("/repos/octo-org/shop")).willReturn(okJson(github.fixture("repository"))));
    github.server.stubFor(
        get(urlEqualTo("/repos/octo-org/shop/issues/42"))
            .willReturn(okJson(github.fixture("issue"))));
    github.server.stubFor(
        get(urlPathEqualTo("/repos/octo-org/shop/issues/42/comments")).willReturn(okJson("[]")));
    github.server.stubFor(
        post(urlEqualTo("/repos/octo-org/shop/issues/42/comments"))
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withHeader("Content-Type", "application/json")
                    .withBody(github.fixture("issue-comment", Map.of("BODY", "created")))));
    github.server.stubFor(
        patch(urlEqualTo("/repos/octo-org/shop/issues/comments/1001"))
            .willReturn(okJson(github.fixture("issue-comment", Map.of("BODY", "edited")))));
    github.server.stubFor(
        post(urlMatching("/repos/octo-org/shop/statuses/[0-9a-f]{40}"))
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        github.fixture(
                            "commit-status",
                            Map.of(
                                "SHA", sha(1),
                                "STATE", "pending",
                                "DESCRIPTION", "x",
                                "TARGET_URL", "https://by.example.com",
                                "CONTEXT", "branchyard/shop")))));
    github.server.stubFor(
        get(urlPathEqualTo("/repos/octo-org/shop/deployments")).willReturn(okJson("[]")));
    github.server.stubFor(
        post(urlEqualTo("/repos/octo-org/shop/deployments"))
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        github.fixture("deployment", Map.of("SHA", sha(1), "ENVIRONMENT", NAME)))));
    github.server.stubFor(
        post(urlEqualTo("/repos/octo-org/shop/deployments/5001/statuses"))
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withHeader("Content-Type", "application/json")
                    .withBody(github.fixture("deployment-status"))));
  }

  private static RequestPatternBuilder statuses() {
    return postRequestedFor(urlMatching("/repos/octo-org/shop/statuses/[0-9a-f]{40}"));
  }

  private static RequestPatternBuilder deploymentStatuses() {
    return postRequestedFor(urlEqualTo("/repos/octo-org/shop/deployments/5001/statuses"));
  }

  private List<JsonNode> bodies(RequestPatternBuilder requests) {
    return github.server.findAll(requests).stream()
        .sorted(Comparator.comparing(LoggedRequest::getLoggedDate))
        .map(
            r -> {
              try {
                return JSON.readTree(r.getBodyAsString());
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            })
        .toList();
  }
}

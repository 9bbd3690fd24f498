package dev.branchyard.github;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.branchyard.github.FeedbackSnapshots.NAME;
import static dev.branchyard.github.FeedbackSnapshots.at;
import static dev.branchyard.github.FeedbackSnapshots.sha;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.branchyard.github.EnvironmentSnapshot.Stage;
import dev.branchyard.lifecycle.EnvironmentPhase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Feedback from environments to their pull request, through {@link FeedbackDispatcher} and the
 * github-api adapter, against a WireMock stand-in for api.github.com. The stubs follow GitHub's
 * REST API documentation: {@code POST /repos/{o}/{r}/statuses/{sha}}, issue comments listed,
 * created and edited ({@code GET}/{@code POST /repos/{o}/{r}/issues/{n}/comments}, {@code PATCH
 * /repos/{o}/{r}/issues/comments/{id}}), deployments listed and created and their statuses ({@code
 * /repos/{o}/{r}/deployments}, {@code /deployments/{id}/statuses}), and GitHub's rate-limit answers
 * (403 with {@code X-RateLimit-Remaining: 0} and {@code X-RateLimit-Reset}).
 */
class FeedbackToGitHubTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final PullRequestFeedback planner = new PullRequestFeedback("https://by.example.com");
  private final Map<String, String> ledger = new ConcurrentHashMap<>();
  private GitHubStandIn github;
  private FeedbackDispatcher dispatcher;

  @BeforeEach
  void startGitHub() {
    github = new GitHubStandIn();
    github.server.stubFor(
        get(urlEqualTo("/repos/octo-org/shop")).willReturn(okJson(github.fixture("repository"))));
    github.server.stubFor(
        get(urlEqualTo("/repos/octo-org/shop/issues/42"))
            .willReturn(okJson(github.fixture("issue"))));
    github.server.stubFor(
        get(urlPathEqualTo("/repos/octo-org/shop/issues/42/comments")).willReturn(okJson("[]")));
    github.server.stubFor(
        post(urlEqualTo("/repos/octo-org/shop/issues/42/comments"))
            .willReturn(created(github.fixture("issue-comment", Map.of("BODY", "created")))));
    github.server.stubFor(
        patch(urlEqualTo("/repos/octo-org/shop/issues/comments/1001"))
            .willReturn(okJson(github.fixture("issue-comment", Map.of("BODY", "edited")))));
    github.server.stubFor(
        post(urlMatching("/repos/octo-org/shop/statuses/[0-9a-f]{40}"))
            .willReturn(created(commitStatus())));
    github.server.stubFor(
        get(urlPathEqualTo("/repos/octo-org/shop/deployments")).willReturn(okJson("[]")));
    github.server.stubFor(
        post(urlEqualTo("/repos/octo-org/shop/deployments"))
            .willReturn(
                created(github.fixture("deployment", Map.of("SHA", sha(1), "ENVIRONMENT", NAME)))));
    github.server.stubFor(
        post(urlEqualTo("/repos/octo-org/shop/deployments/5001/statuses"))
            .willReturn(created(github.fixture("deployment-status"))));
    dispatcher = dispatcher();
  }

  @AfterEach
  void stopGitHub() {
    dispatcher.close();
    assertThat(github.unmatched()).as("calls GitHub's docs do not describe").isEmpty();
    github.close();
  }

  @Test
  void setsThePendingThenSuccessCommitStatusOnTheHeadCommit() {
    send(at(1, EnvironmentPhase.Building), statuses(), 1);
    send(at(1, EnvironmentPhase.Deploying), statuses(), 2);
    send(at(1, EnvironmentPhase.Ready), statuses(), 3);

    List<JsonNode> sent = bodies(statuses());
    assertThat(sent)
        .extracting(b -> b.get("state").asText())
        .containsExactly("pending", "pending", "success");
    assertThat(sent)
        .extracting(b -> b.get("description").asText())
        .containsExactly(
            "Building images", "Deploying", "Ready: https://shop-pr42.preview.example.com");
    assertThat(sent)
        .allSatisfy(
            b -> {
              assertThat(b.get("context").asText()).isEqualTo("branchyard/shop");
              assertThat(b.get("target_url").asText())
                  .isEqualTo("https://by.example.com/environments/" + NAME);
            });
    assertThat(github.server.findAll(statuses()))
        .allSatisfy(r -> assertThat(r.getUrl()).endsWith("/statuses/" + sha(1)));
  }

  @Test
  void editsOneStickyCommentAcrossFivePushesAndFindsItAgainAfterARestart() {
    for (int push = 1; push <= 5; push++) {
      send(
          at(push, EnvironmentPhase.Ready),
          postRequestedFor(urlMatching(".*/deployments/5001/statuses")),
          push);
    }

    github.server.verify(
        1, postRequestedFor(urlEqualTo("/repos/octo-org/shop/issues/42/comments")));
    github.server.verify(
        4, patchRequestedFor(urlEqualTo("/repos/octo-org/shop/issues/comments/1001")));
    github.server.verify(
        1, getRequestedFor(urlPathEqualTo("/repos/octo-org/shop/issues/42/comments")));
    List<JsonNode> edits =
        bodies(patchRequestedFor(urlEqualTo("/repos/octo-org/shop/issues/comments/1001")));
    assertThat(edits.get(3).get("body").asText())
        .startsWith("<!-- branchyard:" + NAME + " -->")
        .contains("octo-org/shop@" + sha(5));

    // A new Branchyard process: nothing in memory, the comment is found by its marker.
    dispatcher.close();
    github.server.stubFor(
        get(urlPathEqualTo("/repos/octo-org/shop/issues/42/comments"))
            .willReturn(
                okJson(
                    "["
                        + github.fixture(
                            "issue-comment",
                            Map.of("BODY", PullRequestFeedback.marker(NAME) + "\nold text"))
                        + "]")));
    dispatcher = dispatcher();
    send(
        at(6, EnvironmentPhase.Ready),
        patchRequestedFor(urlEqualTo("/repos/octo-org/shop/issues/comments/1001")),
        5);

    github.server.verify(
        1, postRequestedFor(urlEqualTo("/repos/octo-org/shop/issues/42/comments")));
  }

  @Test
  void sendsDeploymentStatusesInOrderAndInactiveOnTeardown() {
    RequestPatternBuilder deploymentStatuses =
        postRequestedFor(urlEqualTo("/repos/octo-org/shop/deployments/5001/statuses"));
    EnvironmentSnapshot ready = at(1, EnvironmentPhase.Ready);

    send(at(1, EnvironmentPhase.Building), deploymentStatuses, 1);
    send(ready, deploymentStatuses, 2);
    send(FeedbackSnapshots.stage(ready, Stage.DELETING), deploymentStatuses, 3);
    send(FeedbackSnapshots.stage(ready, Stage.DELETED), patchRequestedFor(anyUrl()), 3);

    List<JsonNode> sent = bodies(deploymentStatuses);
    assertThat(sent)
        .extracting(b -> b.get("state").asText())
        .containsExactly("in_progress", "success", "inactive");
    assertThat(sent.get(1).get("environment_url").asText())
        .isEqualTo("https://shop-pr42.preview.example.com");
    JsonNode created =
        bodies(postRequestedFor(urlEqualTo("/repos/octo-org/shop/deployments"))).get(0);
    assertThat(created.get("ref").asText()).isEqualTo(sha(1));
    assertThat(created.get("environment").asText()).isEqualTo(NAME);
    assertThat(created.get("required_contexts")).isEmpty();
    assertThat(created.get("auto_merge").asBoolean()).isFalse();
    assertThat(created.get("transient_environment").asBoolean()).isTrue();
    github.server.verify(1, postRequestedFor(urlEqualTo("/repos/octo-org/shop/deployments")));
    assertThat(bodies(patchRequestedFor(anyUrl())).get(2).get("body").asText())
        .contains("was destroyed");
  }

  @Test
  void sendsOnlyWhatChangedAndNothingAgainAfterARestart() {
    EnvironmentSnapshot ready = at(1, EnvironmentPhase.Ready);
    send(ready, postRequestedFor(urlMatching(".*/deployments/5001/statuses")), 1);
    int calls = github.server.getAllServeEvents().size();
    assertThat(ledger).containsKey(NAME);

    dispatcher.submit(planner.plan(ready).orElseThrow());
    dispatcher.close();
    dispatcher = dispatcher();
    EnvironmentSnapshot recorded =
        new EnvironmentSnapshot(
            NAME, 1, 1, ready.spec(), ready.status(), Stage.ACTIVE, Optional.of(ledger.get(NAME)));
    dispatcher.submit(planner.plan(recorded).orElseThrow());

    await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> dispatcher.backlog() == 0);
    assertThat(github.server.getAllServeEvents()).hasSize(calls);
  }

  @Test
  void retriesServerErrorsLaterWithGrowingBackoffWithoutHoldingTheCaller() {
    github.server.stubFor(
        post(urlMatching("/repos/octo-org/shop/statuses/[0-9a-f]{40}"))
            .inScenario("flaky")
            .whenScenarioStateIs(Scenario.STARTED)
            .willSetStateTo("1")
            .willReturn(aResponse().withStatus(500)));
    github.server.stubFor(
        post(urlMatching("/repos/octo-org/shop/statuses/[0-9a-f]{40}"))
            .inScenario("flaky")
            .whenScenarioStateIs("1")
            .willSetStateTo("2")
            .willReturn(aResponse().withStatus(502)));
    github.server.stubFor(
        post(urlMatching("/repos/octo-org/shop/statuses/[0-9a-f]{40}"))
            .inScenario("flaky")
            .whenScenarioStateIs("2")
            .willSetStateTo("ok")
            .willReturn(aResponse().withStatus(503)));
    github.server.stubFor(
        post(urlMatching("/repos/octo-org/shop/statuses/[0-9a-f]{40}"))
            .inScenario("flaky")
            .whenScenarioStateIs("ok")
            .willReturn(created(commitStatus())));

    long started = System.nanoTime();
    dispatcher.submit(planner.plan(at(1, EnvironmentPhase.Ready)).orElseThrow());
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(200));

    await().atMost(WAIT).until(() -> github.server.findAll(deploymentStatusPosts()).size() == 1);
    List<Instant> attempts =
        github.server.findAll(statuses()).stream()
            .map(r -> r.getLoggedDate().toInstant())
            .sorted()
            .toList();
    assertThat(attempts).hasSize(4);
    // Backoff of 100 ms doubling, each wait at least half its ceiling: >= 50, 100, 200 ms.
    assertThat(Duration.between(attempts.get(0), attempts.get(1)))
        .isGreaterThanOrEqualTo(Duration.ofMillis(50));
    assertThat(Duration.between(attempts.get(1), attempts.get(2)))
        .isGreaterThanOrEqualTo(Duration.ofMillis(100));
    assertThat(Duration.between(attempts.get(2), attempts.get(3)))
        .isGreaterThanOrEqualTo(Duration.ofMillis(200));
    assertThat(bodies(statuses()).get(3).get("state").asText()).isEqualTo("success");
    // The comment is written once, not once per attempt.
    github.server.verify(
        1, postRequestedFor(urlEqualTo("/repos/octo-org/shop/issues/42/comments")));
  }

  @Test
  void holdsAllFeedbackUntilGitHubsRateLimitResets() {
    long reset = Instant.now().plusSeconds(2).getEpochSecond();
    github.server.stubFor(
        post(urlMatching("/repos/octo-org/shop/statuses/[0-9a-f]{40}"))
            .inScenario("limited")
            .whenScenarioStateIs(Scenario.STARTED)
            .willSetStateTo("reset")
            .willReturn(
                aResponse()
                    .withStatus(403)
                    .withHeader("Content-Type", "application/json")
                    .withHeader("X-RateLimit-Limit", "5000")
                    .withHeader("X-RateLimit-Remaining", "0")
                    .withHeader("X-RateLimit-Used", "5000")
                    .withHeader("X-RateLimit-Reset", Long.toString(reset))
                    .withBody(
                        "{\"message\":\"API rate limit exceeded for installation ID 77.\","
                            + "\"documentation_url\":\"https://docs.github.com/rest/overview/"
                            + "resources-in-the-rest-api#rate-limiting\"}")));
    github.server.stubFor(
        post(urlMatching("/repos/octo-org/shop/statuses/[0-9a-f]{40}"))
            .inScenario("limited")
            .whenScenarioStateIs("reset")
            .willReturn(created(commitStatus())));

    dispatcher.submit(planner.plan(at(1, EnvironmentPhase.Ready)).orElseThrow());
    await().atMost(WAIT).until(() -> dispatcher.pausedUntil().isAfter(Instant.now()));
    EnvironmentSnapshot other = at(1, EnvironmentPhase.Building);
    dispatcher.submit(
        planner
            .plan(
                new EnvironmentSnapshot(
                    "shop-other-pr42",
                    1,
                    1,
                    other.spec(),
                    other.status(),
                    Stage.ACTIVE,
                    Optional.empty()))
            .orElseThrow());

    await().atMost(WAIT).until(() -> github.server.findAll(deploymentStatusPosts()).size() == 2);
    List<LoggedRequest> afterLimit =
        github.server.getAllServeEvents().stream()
            .map(e -> e.getRequest())
            .sorted(Comparator.comparing(LoggedRequest::getLoggedDate))
            .toList();
    Instant limited =
        afterLimit.stream()
            .filter(r -> r.getUrl().contains("/statuses/"))
            .findFirst()
            .orElseThrow()
            .getLoggedDate()
            .toInstant();
    assertThat(afterLimit)
        .filteredOn(r -> r.getLoggedDate().toInstant().isAfter(limited))
        .allSatisfy(
            r ->
                assertThat(r.getLoggedDate().toInstant())
                    .isAfterOrEqualTo(Instant.ofEpochSecond(reset)));
    assertThat(bodies(statuses()))
        .extracting(b -> b.get("state").asText())
        .containsExactlyInAnyOrder("success", "success", "pending");
  }

  private FeedbackDispatcher dispatcher() {
    GitHubConnections connections =
        new GitHubConnections(
            github.apiUrl(),
            new GitHubConnections.Credentials.Token("ghp_test"),
            Duration.ofSeconds(5),
            Clock.systemUTC());
    return new FeedbackDispatcher(
        new GitHubRestFeedback(connections),
        ledger::put,
        Clock.systemUTC(),
        new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2)),
        2,
        () -> true);
  }

  /** Submits and waits until {@code requests} has been seen {@code count} times in all. */
  private void send(EnvironmentSnapshot snapshot, RequestPatternBuilder requests, int count) {
    dispatcher.submit(planner.plan(snapshot).orElseThrow());
    await().atMost(WAIT).until(() -> github.server.findAll(requests).size() >= count);
    await().atMost(WAIT).until(() -> dispatcher.backlog() == 0);
  }

  private static RequestPatternBuilder statuses() {
    return postRequestedFor(urlMatching("/repos/octo-org/shop/statuses/[0-9a-f]{40}"));
  }

  private static RequestPatternBuilder deploymentStatusPosts() {
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

  private String commitStatus() {
    return github.fixture(
        "commit-status",
        Map.of(
            "SHA", sha(1),
            "STATE", "pending",
            "DESCRIPTION", "Building images",
            "TARGET_URL", "https://by.example.com/environments/" + NAME,
            "CONTEXT", "branchyard/shop"));
  }

  private static ResponseDefinitionBuilder created(String body) {
    return aResponse()
        .withStatus(201)
        .withHeader("Content-Type", "application/json")
        .withBody(body);
  }
}

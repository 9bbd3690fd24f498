package dev.branchyard.github;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.branchyard.github.PullRequestLookup.PullRequestInfo;
import dev.branchyard.github.PullRequestLookup.PullRequestNotFoundException;
import dev.branchyard.github.RepoPermissions.Permission;
import dev.branchyard.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The github-api adapter of {@link RepoPermissions}, {@link PullRequestLookup} and {@link
 * PullRequestReplies} against a WireMock stand-in for api.github.com whose stubs follow GitHub's
 * REST API documentation (paths, methods, status codes, headers and body shapes).
 */
class GitHubRestApiTest {

  private static final String REPO = "octo-org/shop";

  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T09:00:00Z"));
  private GitHubStandIn github;
  private GitHubRestApi api;

  @BeforeEach
  void startGitHub() {
    github = new GitHubStandIn();
    api =
        new GitHubRestApi(
            new GitHubConnections(
                github.apiUrl(),
                new GitHubConnections.Credentials.Token("ghp_test"),
                Duration.ofSeconds(5),
                clock));
    github.server.stubFor(
        get(urlEqualTo("/repos/octo-org/shop")).willReturn(okJson(github.fixture("repository"))));
  }

  @AfterEach
  void stopGitHub() {
    assertThat(github.unmatched()).as("calls GitHub's docs do not describe").isEmpty();
    github.close();
  }

  @Test
  void readsACollaboratorsPermissionWithTheToken() {
    github.server.stubFor(
        get(urlEqualTo("/repos/octo-org/shop/collaborators/octocat/permission"))
            .withHeader("Authorization", equalTo("token ghp_test"))
            .willReturn(okJson(github.fixture("collaborator-permission-write"))));

    Permission permission = api.permission(REPO, "octocat");

    assertThat(permission).isEqualTo(Permission.WRITE);
    assertThat(permission.canWrite()).isTrue();
  }

  @Test
  void aLoginGitHubDoesNotKnowHasNoPermission() {
    github.server.stubFor(
        get(urlEqualTo("/repos/octo-org/shop/collaborators/nobody/permission"))
            .willReturn(
                aResponse()
                    .withStatus(404)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"message\":\"Not Found\",\"documentation_url\":"
                            + "\"https://docs.github.com/rest\",\"status\":\"404\"}")));

    assertThat(api.permission(REPO, "nobody")).isEqualTo(Permission.NONE);
  }

  @Test
  void readsAForkPullRequestAsGitHubReturnsIt() {
    github.server.stubFor(
        get(urlEqualTo("/repos/octo-org/shop/pulls/42"))
            .willReturn(okJson(github.fixture("pull-request"))));

    PullRequestInfo pr = api.pullRequest(REPO, 42);

    assertThat(pr)
        .isEqualTo(
            new PullRequestInfo(
                REPO,
                42,
                "6dcb09b5b57875f334f61aebed695e2e4193db5e",
                "feature/cart",
                "main",
                "monalisa",
                true,
                false,
                true,
                List.of("preview"),
                Instant.parse("2026-12-01T08:30:00Z")));
  }

  @Test
  void reportsAMissingPullRequestAsNotFound() {
    github.server.stubFor(
        get(urlEqualTo("/repos/octo-org/shop/pulls/7"))
            .willReturn(
                aResponse()
                    .withStatus(404)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"message\":\"Not Found\"}")));

    assertThatThrownBy(() -> api.pullRequest(REPO, 7))
        .isInstanceOf(PullRequestNotFoundException.class)
        .hasMessageContaining("#7");
  }

  @Test
  void repliesWithACommentAndReactsToTheCommand() {
    github.server.stubFor(
        get(urlEqualTo("/repos/octo-org/shop/issues/42"))
            .willReturn(okJson(github.fixture("issue"))));
    github.server.stubFor(
        post(urlEqualTo("/repos/octo-org/shop/issues/42/comments"))
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        github.fixture("issue-comment", Map.of("BODY", "Extended to 18:00")))));
    github.server.stubFor(
        post(urlEqualTo("/repos/octo-org/shop/issues/comments/555/reactions"))
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withHeader("Content-Type", "application/json")
                    .withBody(github.fixture("reaction"))));

    api.reply(REPO, 42, "Extended to 18:00");
    api.react(REPO, 555, "+1");

    github.server.verify(
        postRequestedFor(urlEqualTo("/repos/octo-org/shop/issues/42/comments"))
            .withRequestBody(equalToJson("{\"body\":\"Extended to 18:00\"}")));
    github.server.verify(
        postRequestedFor(urlEqualTo("/repos/octo-org/shop/issues/comments/555/reactions"))
            .withHeader("Authorization", equalTo("token ghp_test"))
            .withHeader("Accept", equalTo("application/vnd.github+json"))
            .withRequestBody(equalToJson("{\"content\":\"+1\"}")));
  }

  @Test
  void reportsServerErrorsAsUnavailable() {
    github.server.stubFor(
        get(urlPathEqualTo("/repos/octo-org/shop/collaborators/octocat/permission"))
            .willReturn(aResponse().withStatus(502).withBody("Bad gateway")));

    assertThatThrownBy(() -> api.permission(REPO, "octocat"))
        .isExactlyInstanceOf(GitHubUnavailableException.class)
        .hasMessageContaining("502");
  }

  @Test
  void reportsARateLimitWithWhenGitHubAcceptsRequestsAgain() {
    long reset = clock.instant().plus(Duration.ofMinutes(17)).getEpochSecond();
    github.server.stubFor(
        post(urlEqualTo("/repos/octo-org/shop/issues/comments/555/reactions"))
            .willReturn(
                aResponse()
                    .withStatus(403)
                    .withHeader("Content-Type", "application/json")
                    .withHeader("X-RateLimit-Limit", "5000")
                    .withHeader("X-RateLimit-Remaining", "0")
                    .withHeader("X-RateLimit-Reset", Long.toString(reset))
                    .withBody(
                        "{\"message\":\"API rate limit exceeded for installation ID 77.\"}")));
    github.server.stubFor(
        get(urlEqualTo("/repos/octo-org/shop/pulls/42"))
            .willReturn(
                aResponse()
                    .withStatus(403)
                    .withHeader("Content-Type", "application/json")
                    .withHeader("X-RateLimit-Limit", "5000")
                    .withHeader("X-RateLimit-Remaining", "0")
                    .withHeader("X-RateLimit-Reset", Long.toString(reset))
                    .withBody(
                        "{\"message\":\"API rate limit exceeded for installation ID 77.\"}")));

    assertThatThrownBy(() -> api.react(REPO, 555, "+1"))
        .isInstanceOfSatisfying(
            GitHubRateLimitedException.class,
            e -> assertThat(e.retryAt()).contains(Instant.ofEpochSecond(reset)));
    assertThatThrownBy(() -> api.pullRequest(REPO, 42))
        .isInstanceOfSatisfying(
            GitHubRateLimitedException.class,
            e -> assertThat(e.retryAt()).contains(Instant.ofEpochSecond(reset)));
    github.server.verify(1, getRequestedFor(urlEqualTo("/repos/octo-org/shop/pulls/42")));
  }

  @Test
  void failsClearlyWhenGitHubIsNotConfigured() {
    GitHubRestApi unconfigured =
        new GitHubRestApi(
            new GitHubConnections(
                github.apiUrl(),
                new GitHubConnections.Credentials.None(),
                Duration.ofSeconds(5),
                clock));

    assertThatThrownBy(() -> unconfigured.permission(REPO, "octocat"))
        .isInstanceOf(GitHubUnavailableException.class)
        .isInstanceOf(GitHubNotConfiguredException.class)
        .hasMessageContaining("GitHub is not configured (set branchyard.github.token");
    assertThatThrownBy(() -> unconfigured.react(REPO, 1, "+1"))
        .isInstanceOf(GitHubNotConfiguredException.class);
    assertThat(github.server.getAllServeEvents()).isEmpty();
  }
}

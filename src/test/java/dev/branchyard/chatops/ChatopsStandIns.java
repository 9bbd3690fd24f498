package dev.branchyard.chatops;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One WireMock server standing in for api.github.com and for Slack's {@code response_url}, for the
 * chat commands' {@code @QuarkusTest}s. Its answers follow GitHub's and Slack's documented shapes
 * (fixtures under {@code fixtures/chatops/}, from GitHub's REST API documentation, trimmed to the
 * fields the github-api adapter reads); it is not GitHub or Slack. Branchyard's GitHub adapter is
 * pointed at it with a token; Slack's answers are POSTed to {@code <base>/slack/response/...}.
 */
public class ChatopsStandIns implements QuarkusTestResourceLifecycleManager {

  /** The repository every test talks about; {@code env-specs/shop.yaml} triggers on it. */
  static final String REPO = "acme/shop-web";

  private static volatile WireMockServer server;

  static WireMockServer server() {
    return server;
  }

  @Override
  public Map<String, String> start() {
    server = new WireMockServer(options().dynamicPort());
    server.start();
    return Map.of(
        "branchyard.github.api-url",
        server.baseUrl(),
        "branchyard.github.token",
        "chatops-test-token");
  }

  @Override
  public void stop() {
    if (server != null) {
      server.stop();
    }
  }

  /** Stubs what GitHub answers about the repository, pull request {@code number}, and replies. */
  static void pullRequest(int number) {
    pullRequest(number, false);
  }

  /**
   * As {@link #pullRequest(int)}; a {@code fork} PR's head lives in {@code monalisa/shop-web}, as
   * GitHub shows a PR from a fork.
   */
  static void pullRequest(int number, boolean fork) {
    String pr = fixture("pull-request", number);
    if (fork) {
      pr =
          pr.replace(
              "\"id\": 1296270, \"name\": \"shop-web\", \"full_name\": \"acme/shop-web\","
                  + " \"owner\": {\"login\": \"acme\", \"id\": 6811672, \"type\":"
                  + " \"Organization\"}, \"fork\": false",
              "\"id\": 1296270, \"name\": \"shop-web\", \"full_name\": \"monalisa/shop-web\","
                  + " \"owner\": {\"login\": \"monalisa\", \"id\": 2, \"type\": \"User\"},"
                  + " \"fork\": true");
      if (!pr.contains("monalisa/shop-web")) {
        throw new IllegalStateException("the pull request fixture's head repo changed shape");
      }
    }
    server.stubFor(get(urlEqualTo("/repos/" + REPO)).willReturn(okJson(fixture("repository", 0))));
    server.stubFor(get(urlEqualTo("/repos/" + REPO + "/pulls/" + number)).willReturn(okJson(pr)));
    server.stubFor(
        get(urlEqualTo("/repos/" + REPO + "/issues/" + number))
            .willReturn(okJson(fixture("issue", number))));
    server.stubFor(
        post(urlEqualTo("/repos/" + REPO + "/issues/" + number + "/comments"))
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withHeader("Content-Type", "application/json")
                    .withBody(fixture("issue-comment", number))));
    server.stubFor(
        post(urlPathMatching("/repos/" + REPO + "/issues/comments/[0-9]+/reactions"))
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withHeader("Content-Type", "application/json")
                    .withBody(fixture("reaction", number))));
  }

  /** Stubs the permission GitHub reports for {@code login} ({@code read}, {@code write}, ...). */
  static void permission(String login, String permission) {
    server.stubFor(
        get(urlEqualTo("/repos/" + REPO + "/collaborators/" + login + "/permission"))
            .willReturn(
                okJson(
                    fixture("collaborator-permission", 0)
                        .replace("PERMISSION", permission)
                        .replace("LOGIN", login))));
  }

  /** Slack takes answers to {@code response_url}s under {@code /slack/response/}. */
  static void slackTakesResponses() {
    server.stubFor(
        post(urlPathMatching("/slack/response/.*")).willReturn(aResponse().withStatus(200)));
  }

  static String fixture(String name, int number) {
    try (InputStream in =
        ChatopsStandIns.class.getResourceAsStream("/fixtures/chatops/" + name + ".json")) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture fixtures/chatops/" + name + ".json");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("BASE_URL", server.baseUrl())
          .replace("NUMBER", Integer.toString(number));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

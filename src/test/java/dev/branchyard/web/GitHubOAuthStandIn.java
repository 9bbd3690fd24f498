package dev.branchyard.web;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.List;
import java.util.Map;

/**
 * WireMock playing GitHub's OAuth endpoints for the pages' login (chosen over
 * quarkus-test-oidc-server because that one plays an OpenID Connect provider with discovery and ID
 * tokens, while GitHub is plain OAuth 2 plus {@code GET /user}, which is what quarkus-oidc's {@code
 * provider=github} talks to). The shapes follow GitHub's documentation of the web application flow:
 *
 * <ul>
 *   <li>{@code GET /login/oauth/authorize?client_id&redirect_uri&state&scope}: a sign-in page; the
 *       test types a login there (standing in for GitHub's login and consent screens) and is sent
 *       back to {@code redirect_uri?code=<login>&state=<state>}.
 *   <li>{@code POST /login/oauth/access_token} (form: code, redirect_uri, client credentials):
 *       {@code {"access_token": "gho_<login>", "token_type": "bearer", "scope": "user:email"}}.
 *   <li>{@code GET /user} with {@code Authorization: Bearer gho_<login>}: the user, {@code
 *       {"login": ..., "id": ..., "name": ...}}.
 * </ul>
 *
 * Only the logins in {@link #USERS} can sign in.
 */
public class GitHubOAuthStandIn implements QuarkusTestResourceLifecycleManager {

  /** Who can sign in; their repo permissions come from {@link FixedRepoPermissions}. */
  public static final List<String> USERS = List.of("alice", "mallory");

  private WireMockServer server;

  @Override
  public Map<String, String> start() {
    server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    server.start();
    server.stubFor(
        get(urlPathEqualTo("/login/oauth/authorize"))
            .willReturn(
                aResponse()
                    .withHeader("Content-Type", "text/html; charset=utf-8")
                    .withBody(
                        """
                        <!DOCTYPE html><html lang="en"><head><title>Sign in to GitHub (stand-in)</title></head>
                        <body><h1>Sign in to GitHub</h1><p>to continue to {{request.query.client_id}}</p>
                        <form method="get" action="/login/oauth/approve">
                        <label for="login_field">Username</label>
                        <input id="login_field" name="login" autofocus>
                        <input type="hidden" name="redirect_uri" value="{{request.query.redirect_uri}}">
                        <input type="hidden" name="state" value="{{request.query.state}}">
                        <button type="submit" id="authorize">Sign in and authorize</button>
                        </form></body></html>""")
                    .withTransformers("response-template")));
    server.stubFor(
        get(urlPathEqualTo("/login/oauth/approve"))
            .willReturn(
                aResponse()
                    .withStatus(302)
                    .withHeader(
                        "Location",
                        "{{{request.query.redirect_uri}}}?code={{urlEncode request.query.login}}"
                            + "&state={{urlEncode request.query.state}}")
                    .withTransformers("response-template")));
    long id = 1000;
    for (String login : USERS) {
      server.stubFor(
          post(urlPathEqualTo("/login/oauth/access_token"))
              .withRequestBody(matching("(.*&)?code=" + login + "(&.*)?"))
              .willReturn(
                  aResponse()
                      .withHeader("Content-Type", "application/json")
                      .withBody(
                          "{\"access_token\":\"gho_"
                              + login
                              + "\",\"token_type\":\"bearer\",\"scope\":\"user:email\"}")));
      server.stubFor(
          get(urlPathEqualTo("/user"))
              .withHeader("Authorization", equalTo("Bearer gho_" + login))
              .willReturn(
                  aResponse()
                      .withHeader("Content-Type", "application/json")
                      .withBody(
                          "{\"login\":\""
                              + login
                              + "\",\"id\":"
                              + id++
                              + ",\"name\":\""
                              + Character.toUpperCase(login.charAt(0))
                              + login.substring(1)
                              + "\",\"type\":\"User\"}")));
    }
    String base = "http://127.0.0.1:" + server.port();
    return Map.of(
        "quarkus.oidc.tenant-enabled", "true",
        "quarkus.oidc.client-id", "branchyard-browser-test",
        // As long as a real GitHub client secret (40 hex digits): quarkus-oidc signs its session
        // token
        // with it (HS256 needs 256 bits).
        "quarkus.oidc.credentials.secret", "0123456789abcdef0123456789abcdef01234567",
        "quarkus.oidc.auth-server-url", base + "/login/oauth",
        "quarkus.oidc.user-info-path", base + "/user");
  }

  @Override
  public void stop() {
    if (server != null) {
      server.stop();
    }
  }
}

package dev.branchyard.github;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.branchyard.github.RepoPermissions.Permission;
import dev.branchyard.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * GitHub App authentication against a WireMock stand-in for api.github.com whose stubs follow
 * GitHub's REST API documentation: the App's RS256 JWT finds the installation on the repository
 * ({@code GET /repos/{owner}/{repo}/installation}) and is exchanged for an installation token
 * ({@code POST /app/installations/{id}/access_tokens}), which is kept until shortly before its
 * {@code expires_at}.
 */
class GitHubAppAuthTest {

  private static final String REPO = "octo-org/shop";
  private static final long APP_ID = 123;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T09:00:00Z"));
  private KeyPair keys;
  private GitHubStandIn github;

  @BeforeEach
  void startGitHub() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    keys = generator.generateKeyPair();
    github = new GitHubStandIn();
    github.server.stubFor(
        get(urlEqualTo("/app"))
            .withHeader("Authorization", matching("Bearer .+"))
            .willReturn(okJson(github.fixture("app"))));
    github.server.stubFor(
        get(urlEqualTo("/repos/octo-org/shop/installation"))
            .withHeader("Authorization", matching("Bearer .+"))
            .willReturn(okJson(github.fixture("installation"))));
    // Each exchange hands out the next token, valid for an hour from the test's "now".
    String expiresAt = clock.instant().plus(Duration.ofHours(1)).toString();
    github.server.stubFor(
        post(urlEqualTo("/app/installations/77/access_tokens"))
            .inScenario("tokens")
            .whenScenarioStateIs(Scenario.STARTED)
            .willSetStateTo("second")
            .willReturn(token("ghs_first", expiresAt)));
    github.server.stubFor(
        post(urlEqualTo("/app/installations/77/access_tokens"))
            .inScenario("tokens")
            .whenScenarioStateIs("second")
            .willReturn(token("ghs_second", clock.instant().plus(Duration.ofHours(2)).toString())));
    github.server.stubFor(
        get(urlEqualTo("/repos/octo-org/shop")).willReturn(okJson(github.fixture("repository"))));
    github.server.stubFor(
        get(urlEqualTo("/repos/octo-org/shop/collaborators/octocat/permission"))
            .withHeader("Authorization", matching("token ghs_(first|second)"))
            .willReturn(okJson(github.fixture("collaborator-permission-write"))));
  }

  private com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder token(
      String token, String expiresAt) {
    return aResponse()
        .withStatus(201)
        .withHeader("Content-Type", "application/json")
        .withBody(
            github.fixture("installation-token", Map.of("TOKEN", token, "EXPIRES_AT", expiresAt)));
  }

  @AfterEach
  void stopGitHub() {
    assertThat(github.unmatched()).as("calls GitHub's docs do not describe").isEmpty();
    github.close();
  }

  @Test
  void exchangesTheAppJwtForAnInstallationTokenAndKeepsItUntilShortlyBeforeItExpires()
      throws Exception {
    GitHubRestApi api = new GitHubRestApi(connections(pkcs8Pem()));

    assertThat(api.permission(REPO, "octocat")).isEqualTo(Permission.WRITE);
    clock.advance(Duration.ofMinutes(50));
    assertThat(api.permission(REPO, "octocat")).isEqualTo(Permission.WRITE);

    github.server.verify(1, postRequestedFor(urlEqualTo("/app/installations/77/access_tokens")));
    github.server.verify(
        2,
        getRequestedFor(urlEqualTo("/repos/octo-org/shop/collaborators/octocat/permission"))
            .withHeader("Authorization", equalTo("token ghs_first")));

    // 4 minutes before expiry: inside the 5-minute margin, so a new token is fetched.
    clock.advance(Duration.ofMinutes(6));
    assertThat(api.permission(REPO, "octocat")).isEqualTo(Permission.WRITE);

    github.server.verify(2, postRequestedFor(urlEqualTo("/app/installations/77/access_tokens")));
    github.server.verify(
        1,
        getRequestedFor(urlEqualTo("/repos/octo-org/shop/collaborators/octocat/permission"))
            .withHeader("Authorization", equalTo("token ghs_second")));
    github.server.verify(1, getRequestedFor(urlEqualTo("/repos/octo-org/shop/installation")));
  }

  @Test
  void signsTheJwtWithTheAppsKeyAsGitHubRequires() throws Exception {
    new GitHubRestApi(connections(pkcs8Pem())).permission(REPO, "octocat");

    List<LoggedRequest> exchanges =
        github.server.findAll(postRequestedFor(urlEqualTo("/app/installations/77/access_tokens")));
    assertThat(exchanges).hasSize(1);
    String jwt = exchanges.get(0).getHeader("Authorization").substring("Bearer ".length());
    String[] parts = jwt.split("\\.");
    assertThat(parts).hasSize(3);
    Base64.Decoder url = Base64.getUrlDecoder();
    ObjectMapper json = new ObjectMapper();
    assertThat(json.readTree(url.decode(parts[0])).get("alg").asText()).isEqualTo("RS256");
    JsonNode claims = json.readTree(url.decode(parts[1]));
    long now = clock.instant().getEpochSecond();
    assertThat(claims.get("iss").asText()).isEqualTo("123");
    assertThat(claims.get("iat").asLong()).isEqualTo(now - 60);
    assertThat(claims.get("exp").asLong() - now).isPositive().isLessThanOrEqualTo(600);
    Signature rs256 = Signature.getInstance("SHA256withRSA");
    rs256.initVerify(keys.getPublic());
    rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
    assertThat(rs256.verify(url.decode(parts[2]))).isTrue();
  }

  @Test
  void readsThePkcs1KeyGitHubHandsOut() {
    GitHubRestApi api = new GitHubRestApi(connections(pkcs1Pem()));

    assertThat(api.permission(REPO, "octocat")).isEqualTo(Permission.WRITE);
  }

  private GitHubConnections connections(String pem) {
    return new GitHubConnections(
        github.apiUrl(),
        new GitHubConnections.Credentials.App(
            APP_ID, GitHubAppJwt.privateKey(pem), Duration.ofMinutes(5)),
        Duration.ofSeconds(5),
        clock);
  }

  private String pkcs8Pem() {
    return pem("PRIVATE KEY", keys.getPrivate().getEncoded());
  }

  /** The PKCS#1 key inside the PKCS#8 encoding (after its fixed 26-byte header for RSA 2048). */
  private String pkcs1Pem() {
    byte[] pkcs8 = keys.getPrivate().getEncoded();
    return pem("RSA PRIVATE KEY", Arrays.copyOfRange(pkcs8, 26, pkcs8.length));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}

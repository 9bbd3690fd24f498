package dev.branchyard.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.branchyard.build.RegistryException.Kind;
import dev.branchyard.testing.MutableClock;
import dev.branchyard.testing.TestBuildConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link OciRegistryClient} against {@link FakeRegistry}, an in-test registry implementing the
 * bearer-token and basic flows as token-auth registries (Docker Hub, GHCR) do; those are
 * unreachable from here, and the real local registry of {@code OciRegistryClientIT} has no auth.
 */
class OciRegistryClientTest {

  private static final String NAME = "branchyard/acme/api";
  private static final String TAG = "0123456789abcdef0123456789abcdef01234567-0123456789ab";
  private static final String DIGEST = "sha256:" + "d".repeat(64);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private FakeRegistry registry;

  @BeforeEach
  void startRegistry() throws IOException {
    registry = FakeRegistry.start().withManifest(NAME, TAG, DIGEST);
  }

  @AfterEach
  void stopRegistry() {
    registry.close();
  }

  private OciRegistryClient client(TestBuildConfig config) {
    return new OciRegistryClient(config, clock);
  }

  private OciRegistryClient client() {
    return client(TestBuildConfig.defaults());
  }

  private ImageRef image(String tag) {
    return new ImageRef(registry.address(), NAME, tag);
  }

  @Test
  void readsTheDigestOfAnExistingTag() throws RegistryException {
    assertThat(client().digestOf(image(TAG))).contains(DIGEST);
  }

  @Test
  void reportsAnUnknownTagAsMissing() throws RegistryException {
    assertThat(client().digestOf(image("nope"))).isEmpty();
  }

  @Test
  void reportsAnUnknownRepositoryAsMissing() throws RegistryException {
    assertThat(client().digestOf(new ImageRef(registry.address(), "acme/other", TAG))).isEmpty();
  }

  @Test
  void acceptsOciAndDockerManifestsAndIndexes() throws RegistryException {
    client().digestOf(image(TAG));

    assertThat(String.join(",", registry.manifestRequests.get(0).get("Accept")))
        .contains(
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.docker.distribution.manifest.list.v2+json");
  }

  @Test
  void asksPlainHttpRegistriesOverHttp11WithoutAnUpgradeAttempt() throws RegistryException {
    client().digestOf(image(TAG));
    client().digestOf(image("nope"));

    assertThat(registry.manifestRequests)
        .hasSize(2)
        .allSatisfy(headers -> assertThat(headers).doesNotContainKeys("Upgrade", "Http2-settings"));
  }

  @Test
  void fetchesAnAnonymousBearerTokenForPullScopeAndRetries() throws RegistryException {
    registry.requireBearer("alice", "pw");

    assertThat(client().digestOf(image(TAG))).contains(DIGEST);
    assertThat(registry.tokenRequests)
        .singleElement()
        .satisfies(
            request -> {
              assertThat(request).containsEntry("service", FakeRegistry.SERVICE);
              assertThat(request).containsEntry("scope", "repository:" + NAME + ":pull");
              assertThat(request).doesNotContainKey("authorization");
            });
  }

  @Test
  void sendsConfiguredCredentialsToTheTokenService() throws RegistryException {
    registry.requireBearer("alice", "pw");
    OciRegistryClient client =
        client(TestBuildConfig.defaults().withRegistry(registry.address(), false, "alice", "pw"));

    assertThat(client.digestOf(image(TAG))).contains(DIGEST);
    assertThat(registry.tokenRequests.get(0)).containsEntry("authorization", basic("alice", "pw"));
  }

  @Test
  void readsOAuthStyleAccessTokens() throws RegistryException {
    registry.requireBearer("alice", "pw").tokenField("access_token");

    assertThat(client().digestOf(image(TAG))).contains(DIGEST);
  }

  @Test
  void reusesATokenUntilItExpires() throws RegistryException {
    registry.requireBearer("alice", "pw").tokensExpireIn(300);
    OciRegistryClient client = client();

    client.digestOf(image("a"));
    clock.advance(Duration.ofSeconds(299));
    client.digestOf(image("b"));
    assertThat(registry.tokensIssued()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(1));
    client.digestOf(image("c"));
    assertThat(registry.tokensIssued()).isEqualTo(2);
  }

  @Test
  void keepsATokenSixtySecondsWhenTheServiceGivesNoLifetime() throws RegistryException {
    registry.requireBearer("alice", "pw");
    OciRegistryClient client = client();

    client.digestOf(image("a"));
    clock.advance(Duration.ofSeconds(59));
    client.digestOf(image("b"));
    assertThat(registry.tokensIssued()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(1));
    client.digestOf(image("c"));
    assertThat(registry.tokensIssued()).isEqualTo(2);
  }

  @Test
  void fetchesANewTokenWhenTheRegistryNoLongerAcceptsTheCachedOne() throws RegistryException {
    registry.requireBearer("alice", "pw").tokensExpireIn(3600);
    OciRegistryClient client = client();
    client.digestOf(image("a"));

    registry.revokeTokens();

    assertThat(client.digestOf(image(TAG))).contains(DIGEST);
    assertThat(registry.tokensIssued()).isEqualTo(2);
  }

  @Test
  void answersABasicChallengeWithConfiguredCredentials() throws RegistryException {
    registry.requireBasic("alice", "pw");
    OciRegistryClient client =
        client(TestBuildConfig.defaults().withRegistry("127.0.0.1", false, "alice", "pw"));

    assertThat(client.digestOf(image(TAG))).contains(DIGEST);
    assertThat(client.digestOf(image("missing"))).isEmpty();
    // The second request sent the credentials at once instead of being challenged again.
    assertThat(registry.manifestRequests).hasSize(3);
  }

  @Test
  void failsAuthWhenABasicChallengeFindsNoCredentials() {
    registry.requireBasic("alice", "pw");

    assertThatThrownBy(() -> client().digestOf(image(TAG)))
        .isInstanceOfSatisfying(
            RegistryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.AUTH_FAILED))
        .hasMessageContaining(registry.address() + "/" + NAME)
        .hasMessageContaining("branchyard.build.registries");
  }

  @Test
  void failsAuthWhenBasicCredentialsAreWrong() {
    registry.requireBasic("alice", "pw");
    OciRegistryClient client =
        client(TestBuildConfig.defaults().withRegistry(registry.address(), false, "alice", "bad"));

    assertThatThrownBy(() -> client.digestOf(image(TAG)))
        .isInstanceOfSatisfying(
            RegistryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.AUTH_FAILED));
  }

  @Test
  void failsAuthInsteadOfReportingMissingWhenTheTokenIsRefused() {
    registry.requireBearer("alice", "pw").rejectEveryToken();

    assertThatThrownBy(() -> client().digestOf(image("missing")))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Kind.AUTH_FAILED);
              assertThat(e.registry()).isEqualTo(registry.address());
              assertThat(e.repository()).isEqualTo(NAME);
            });
  }

  @Test
  void failsAuthWhenTheTokenServiceRefusesTheCredentials() {
    registry.requireBearer("alice", "pw");
    OciRegistryClient client =
        client(TestBuildConfig.defaults().withRegistry(registry.address(), false, "alice", "bad"));

    assertThatThrownBy(() -> client.digestOf(image(TAG)))
        .isInstanceOfSatisfying(
            RegistryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.AUTH_FAILED))
        .hasMessageContaining("token service");
  }

  @Test
  void reportsAServerErrorAsAProtocolFailure() {
    registry.failWith(500);

    assertThatThrownBy(() -> client().digestOf(image(TAG)))
        .isInstanceOfSatisfying(
            RegistryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PROTOCOL))
        .hasMessageContaining("HTTP 500");
  }

  @Test
  void doesNotFollowRedirectsSoCredentialsStayWithTheRegistry() {
    registry.failWith(307);

    assertThatThrownBy(() -> client().digestOf(image(TAG)))
        .isInstanceOfSatisfying(
            RegistryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PROTOCOL))
        .hasMessageContaining("redirects");
  }

  @Test
  void reportsARefusedConnectionAsUnreachable() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    ImageRef image = new ImageRef("127.0.0.1:" + closedPort, NAME, TAG);

    assertThatThrownBy(() -> client().digestOf(image))
        .isInstanceOfSatisfying(
            RegistryException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNREACHABLE))
        .hasMessageContaining("127.0.0.1:" + closedPort + "/" + NAME)
        .hasMessageContaining("running");
  }

  @Test
  void reusesAnExistingTagsDigestUntilTheCacheTtlPasses() throws RegistryException {
    OciRegistryClient client =
        client(TestBuildConfig.defaults().withCacheTtl(Duration.ofMinutes(5)));

    client.digestOf(image(TAG));
    clock.advance(Duration.ofMinutes(4));
    assertThat(client.digestOf(image(TAG))).contains(DIGEST);
    assertThat(registry.manifestRequests).hasSize(1);

    clock.advance(Duration.ofMinutes(1));
    assertThat(client.digestOf(image(TAG))).contains(DIGEST);
    assertThat(registry.manifestRequests).hasSize(2);
  }

  @Test
  void asksAgainForAMissingTagSoAPushIsSeenAtOnce() throws RegistryException {
    OciRegistryClient client = client();
    assertThat(client.digestOf(image("later"))).isEmpty();

    registry.withManifest(NAME, "later", DIGEST);

    assertThat(client.digestOf(image("later"))).contains(DIGEST);
  }

  @Test
  void speaksHttpsExceptToLoopbackAndConfiguredInsecureRegistries() {
    OciRegistryClient client =
        client(
            TestBuildConfig.defaults()
                .withRegistry("registry.lan", true, null, null)
                .withRegistry("other.lan:5000", true, null, null));

    assertThat(client.baseUri("ghcr.io")).hasScheme("https");
    assertThat(client.baseUri("localhost:5000")).hasScheme("http");
    assertThat(client.baseUri("127.0.0.1:39999")).hasScheme("http");
    assertThat(client.baseUri("registry.lan:443")).hasScheme("http");
    assertThat(client.baseUri("other.lan:5000")).hasScheme("http");
    assertThat(client.baseUri("other.lan:5001")).hasScheme("https");
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}

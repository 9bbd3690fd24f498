package dev.branchyard.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.branchyard.git.GitAccessException.Reason;
import dev.branchyard.spec.RemoteRefs;
import dev.branchyard.testing.GitHttpServer;
import dev.branchyard.testing.GitHttpServer.TestRepository;
import dev.branchyard.testing.TestGitConfig;
import dev.branchyard.testing.UnresponsiveServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link JGitRefs} against a real git server over HTTP. */
class JGitRefsIT {

  private static final String TOKEN = "s3cret-token-value";
  private static final String PASSWORD = "s3cret-password";

  @TempDir static Path root;

  private static GitHttpServer server;
  private static String first;
  private static String second;
  private static String annotatedTagObject;

  @BeforeAll
  static void startServer() throws IOException {
    server = GitHttpServer.start(root);
    TestRepository api = server.createRepository("acme/api");
    first = api.commit("main", Map.of("README.md", "one\n"), "first");
    second = api.commit("main", Map.of("README.md", "two\n"), "second");
    api.branch("feature/login", first);
    api.branch("team/alice/spike", second);
    api.lightweightTag("v1.0.0", first);
    annotatedTagObject = api.annotatedTag("v2.0.0", second);

    server.createRepository("acme/private").commit("main", Map.of("a", "b"), "private");
    server.requireBasicAuth("acme/private", "x-access-token", TOKEN);
    server.createRepository("acme/basic").commit("main", Map.of("a", "b"), "basic");
    server.requireBasicAuth("acme/basic", "alice", PASSWORD);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  private static JGitRefs refs(TestGitConfig config) {
    return new JGitRefs(config.withGithubBaseUrl(server.baseUrl()));
  }

  @Test
  void listsBranchesIncludingNamesWithSlashes() throws GitAccessException {
    RemoteRefs refs = refs(TestGitConfig.defaults()).list(server.urlOf("acme/api"));

    assertThat(refs.repo()).isEqualTo(server.urlOf("acme/api"));
    assertThat(refs.branches())
        .containsOnly(
            entry("main", second),
            entry("feature/login", first),
            entry("team/alice/spike", second));
  }

  @Test
  void mapsLightweightAndPeeledAnnotatedTagsToCommits() throws GitAccessException {
    RemoteRefs refs = refs(TestGitConfig.defaults()).list(server.urlOf("acme/api"));

    assertThat(refs.tags()).containsOnly(entry("v1.0.0", first), entry("v2.0.0", second));
    assertThat(refs.tags()).doesNotContainValue(annotatedTagObject);
  }

  @Test
  void resolvesGithubShortNamesAgainstTheConfiguredBaseUrl() throws GitAccessException {
    RemoteRefs refs = refs(TestGitConfig.defaults()).list("acme/api");

    assertThat(refs.repo()).isEqualTo("acme/api");
    assertThat(refs.branches()).containsEntry("main", second);
  }

  @Test
  void agreesWithTheGitCommandLine() throws Exception {
    String url = server.urlOf("acme/api");
    RemoteRefs refs = refs(TestGitConfig.defaults()).list(url);

    Map<String, String> cliBranches = new HashMap<>();
    Map<String, String> cliTags = new HashMap<>();
    for (String line : gitLsRemote(url).split("\n")) {
      String[] shaAndRef = line.split("\t");
      String sha = shaAndRef[0];
      String ref = shaAndRef[1];
      if (ref.startsWith("refs/heads/")) {
        cliBranches.put(ref.substring("refs/heads/".length()), sha);
      } else if (ref.startsWith("refs/tags/")) {
        // "v2^{}" (the peeled commit) comes after "v2" (the tag object) and replaces it.
        cliTags.put(ref.substring("refs/tags/".length()).replace("^{}", ""), sha);
      }
    }
    assertThat(cliBranches).hasSize(3);
    assertThat(refs.branches()).isEqualTo(cliBranches);
    assertThat(refs.tags()).isEqualTo(cliTags);
  }

  @Test
  void readsAPrivateRepositoryWithTheTokenConfiguredForItsHost() throws GitAccessException {
    RemoteRefs refs =
        refs(TestGitConfig.defaults().withToken(server.host(), TOKEN)).list("acme/private");

    assertThat(refs.branches()).containsOnlyKeys("main");
  }

  @Test
  void readsAPrivateRepositoryWithUsernameAndPasswordConfiguredForHostAndPort()
      throws GitAccessException {
    TestGitConfig config =
        TestGitConfig.defaults()
            .withToken(server.host(), "token-for-other-ports")
            .withUsernamePassword(server.host() + ":" + server.port(), "alice", PASSWORD);

    assertThat(refs(config).list("acme/basic").branches()).containsOnlyKeys("main");
  }

  @Test
  void failsWithAuthFailedNamingTheCredentialsKeyWhenNoneAreConfigured() {
    assertThatThrownBy(() -> refs(TestGitConfig.defaults()).list("acme/private"))
        .isInstanceOfSatisfying(
            GitAccessException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.AUTH_FAILED);
              assertThat(e.repo()).isEqualTo("acme/private");
            })
        .hasMessageStartingWith("acme/private: authentication failed")
        .hasMessageContaining(
            "check branchyard.git.credentials.\"" + server.host() + ":" + server.port() + "\"");
  }

  @Test
  void failsWithAuthFailedWithoutRevealingAWrongToken() {
    String wrong = "wrong-token-42";

    assertThatThrownBy(
            () ->
                refs(TestGitConfig.defaults().withToken(server.host(), wrong)).list("acme/private"))
        .isInstanceOfSatisfying(
            GitAccessException.class, e -> assertThat(e.reason()).isEqualTo(Reason.AUTH_FAILED))
        .message()
        .doesNotContain(wrong);
  }

  @Test
  void failsWithNotFoundForAnUnknownRepository() {
    assertThatThrownBy(() -> refs(TestGitConfig.defaults()).list("acme/nope"))
        .isInstanceOfSatisfying(
            GitAccessException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND))
        .hasMessageContaining("repository not found at " + server.urlOf("acme/nope"));
  }

  @Test
  void failsWithNetworkErrorWhenNothingListens() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    String url = "http://127.0.0.1:" + closedPort + "/acme/api.git";

    assertThatThrownBy(() -> refs(TestGitConfig.defaults()).list(url))
        .isInstanceOfSatisfying(
            GitAccessException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NETWORK))
        .hasMessageContaining("cannot connect to " + url);
  }

  @Test
  void failsWithTimeoutWithinTheReadTimeoutWhenTheServerNeverAnswers() throws IOException {
    Duration readTimeout = Duration.ofMillis(700);
    try (UnresponsiveServer hung = UnresponsiveServer.start()) {
      JGitRefs refs = refs(TestGitConfig.defaults().withReadTimeout(readTimeout));
      long start = System.nanoTime();

      assertThatThrownBy(() -> refs.list(hung.baseUrl() + "/acme/api.git"))
          .isInstanceOfSatisfying(
              GitAccessException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT))
          .hasMessageContaining("branchyard.git.read-timeout=PT0.7S");
      // The configured read timeout, not JGit's whole-second one; slack for a slow machine.
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(readTimeout)
          .isLessThan(readTimeout.multipliedBy(2));
    }
  }

  private static String gitLsRemote(String url) throws IOException, InterruptedException {
    Path out = root.resolve("ls-remote.out");
    ProcessBuilder builder =
        new ProcessBuilder("git", "ls-remote", url)
            .redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    // Never prompt for credentials: fail instead.
    builder.environment().put("GIT_TERMINAL_PROMPT", "0");
    Process git = builder.start();
    if (!git.waitFor(30, TimeUnit.SECONDS)) {
      git.destroyForcibly();
      throw new AssertionError("git ls-remote " + url + " did not finish within 30s");
    }
    assertThat(git.exitValue()).as("git ls-remote exit code").isZero();
    return Files.readString(out, StandardCharsets.UTF_8);
  }
}

package dev.branchyard.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.branchyard.git.GitAccessException.Reason;
import dev.branchyard.testing.GitHttpServer;
import dev.branchyard.testing.GitHttpServer.TestRepository;
import dev.branchyard.testing.TestGitConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link JGitFiles} against a real git server over HTTP. */
class JGitFilesIT {

  private static final String CONFIG = ".branchyard.yaml";

  @TempDir static Path root;

  private static GitHttpServer server;
  private static String withoutConfig;
  private static String oldConfig;
  private static String newConfig;

  @TempDir Path scratch;

  private JGitFiles files;

  @BeforeAll
  static void startServer() throws IOException {
    server = GitHttpServer.start(root);
    TestRepository api = server.createRepository("acme/api");
    withoutConfig = api.commit("main", Map.of("README.md", "hello\n"), "no config yet");
    oldConfig =
        api.commit(
            "main",
            Map.of("README.md", "hello\n", CONFIG, "values:\n  replicas: 1\n"),
            "add config");
    newConfig =
        api.commit(
            "main",
            Map.of(
                "README.md", "hello\n", CONFIG, "values:\n  replicas: 3\n", "deploy/app.yaml", "x"),
            "scale up");
    server.createRepository("acme/private").commit("main", Map.of(CONFIG, "private: true\n"), "p");
    server.requireBasicAuth("acme/private", "x-access-token", "right-token");
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @AfterEach
  void leavesNoScratchRepositoryBehind() throws IOException {
    try (Stream<Path> left = Files.list(scratch)) {
      assertThat(left).isEmpty();
    }
  }

  private JGitFiles files(TestGitConfig config) {
    return new JGitFiles(config.withGithubBaseUrl(server.baseUrl()).withScratchDir(scratch));
  }

  @Test
  void readsTheFileAtTheGivenCommit() throws GitAccessException {
    files = files(TestGitConfig.defaults());

    assertThat(files.read("acme/api", newConfig, CONFIG)).contains("values:\n  replicas: 3\n");
  }

  @Test
  void readsTheFileAsItWasAtAnOlderCommit() throws GitAccessException {
    files = files(TestGitConfig.defaults());

    assertThat(files.read("acme/api", oldConfig, CONFIG)).contains("values:\n  replicas: 1\n");
  }

  @Test
  void readsAFileInASubdirectory() throws GitAccessException {
    files = files(TestGitConfig.defaults());

    assertThat(files.read("acme/api", newConfig, "deploy/app.yaml")).contains("x");
  }

  @Test
  void returnsEmptyWhenTheFileDoesNotExistAtThatCommit() throws GitAccessException {
    files = files(TestGitConfig.defaults());

    assertThat(files.read("acme/api", withoutConfig, CONFIG)).isEmpty();
  }

  @Test
  void returnsEmptyWhenThePathIsADirectory() throws GitAccessException {
    files = files(TestGitConfig.defaults());

    assertThat(files.read("acme/api", newConfig, "deploy")).isEmpty();
  }

  @Test
  void readsFromAPrivateRepositoryWithTheConfiguredToken() throws GitAccessException {
    files = files(TestGitConfig.defaults().withToken(server.host(), "right-token"));
    String head =
        new JGitRefs(
                TestGitConfig.defaults()
                    .withToken(server.host(), "right-token")
                    .withGithubBaseUrl(server.baseUrl()))
            .list("acme/private")
            .branches()
            .get("main");

    assertThat(files.read("acme/private", head, CONFIG)).contains("private: true\n");
  }

  @Test
  void failsWithNotFoundForACommitTheServerDoesNotHave() {
    files = files(TestGitConfig.defaults());
    String unknown = "0123456789abcdef0123456789abcdef01234567";

    assertThatThrownBy(() -> files.read("acme/api", unknown, CONFIG))
        .isInstanceOfSatisfying(
            GitAccessException.class,
            e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(Reason.NOT_FOUND))
        .hasMessageContaining("acme/api");
  }

  @Test
  void failsWithAuthFailedWithoutCredentials() {
    files = files(TestGitConfig.defaults());

    assertThatThrownBy(() -> files.read("acme/private", newConfig, CONFIG))
        .isInstanceOfSatisfying(
            GitAccessException.class, e -> assertThat(e.reason()).isEqualTo(Reason.AUTH_FAILED));
  }

  @Test
  void rejectsAnAbbreviatedCommit() {
    files = files(TestGitConfig.defaults());

    assertThatThrownBy(() -> files.read("acme/api", newConfig.substring(0, 12), CONFIG))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("40-hex");
  }
}

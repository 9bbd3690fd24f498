package dev.branchyard.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.git.GitAccessException.Reason;
import dev.branchyard.testing.GitHttpServer;
import dev.branchyard.testing.TestGitConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RefResolver} with {@link JGitRefs} against a real git server over HTTP. */
class RefResolverIT {

  private static final List<String> STACK =
      IntStream.rangeClosed(1, 20).mapToObj(i -> "stack/service-" + i).toList();

  @TempDir static Path root;

  private static GitHttpServer server;
  private static final Map<String, String> heads = new HashMap<>();

  private RefResolver resolver;

  @BeforeAll
  static void startServer() throws IOException {
    server = GitHttpServer.start(root);
    for (String repo : STACK) {
      heads.put(repo, server.createRepository(repo).commit("main", Map.of("app", repo), "initial"));
    }
    server.createRepository("stack/private").commit("main", Map.of("a", "b"), "initial");
    server.requireBasicAuth("stack/private", "x-access-token", "right-token");
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @AfterEach
  void closeResolver() {
    resolver.close();
  }

  private RefResolver resolver(TestGitConfig config) {
    TestGitConfig local = config.withGithubBaseUrl(server.baseUrl());
    return new RefResolver(new JGitRefs(local), local, Clock.systemUTC());
  }

  @Test
  void resolvesTwentyRepositoriesInParallel() {
    resolver = resolver(TestGitConfig.defaults().withMaxParallelism(8));

    RefResolution resolution = resolver.resolveAll(STACK);

    assertThat(resolution.complete()).isTrue();
    assertThat(resolution.refs()).containsOnlyKeys(STACK);
    STACK.forEach(
        repo ->
            assertThat(resolution.refs().get(repo).branches())
                .containsEntry("main", heads.get(repo)));
  }

  @Test
  void reportsEveryUnreadableRepositoryAlongsideTheReadableOnes() {
    resolver = resolver(TestGitConfig.defaults());
    List<String> repos = new ArrayList<>(STACK.subList(0, 3));
    repos.add("stack/missing");
    repos.add("stack/private");

    RefResolution resolution = resolver.resolveAll(repos);

    assertThat(resolution.refs()).containsOnlyKeys(STACK.subList(0, 3));
    assertThat(resolution.failures()).containsOnlyKeys("stack/missing", "stack/private");
    assertThat(resolution.failures().get("stack/missing").reason()).isEqualTo(Reason.NOT_FOUND);
    assertThat(resolution.failures().get("stack/private").reason()).isEqualTo(Reason.AUTH_FAILED);
  }

  @Test
  void answersARepeatedResolutionFromTheCacheWithoutAnHttpRequest() {
    resolver = resolver(TestGitConfig.defaults());
    String repo = STACK.get(0);
    int before = server.requestCount(repo);

    resolver.resolveAll(List.of(repo));
    int afterFirst = server.requestCount(repo);
    RefResolution second = resolver.resolveAll(List.of(repo));

    assertThat(afterFirst).isGreaterThan(before);
    assertThat(server.requestCount(repo)).isEqualTo(afterFirst);
    assertThat(second.refs().get(repo).branches()).containsEntry("main", heads.get(repo));
  }
}

package dev.branchyard.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.branchyard.spec.LoadedSpec;
import dev.branchyard.spec.SpecCatalog;
import dev.branchyard.testing.GitHttpServer;
import dev.branchyard.testing.SpecYaml;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The running application reads specs from a git branch on its Quartz schedule, and follows new
 * commits on the next tick.
 */
@QuarkusTest
@TestProfile(GitSpecScheduleIT.WithSpecRepository.class)
class GitSpecScheduleIT {

  /** Its own profile, so its resource configures no other {@code @QuarkusTest}'s application. */
  public static class WithSpecRepository implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(SpecRepository.class));
    }
  }

  /** A git server holding {@code acme/specs}, configured as the application's spec source. */
  public static class SpecRepository implements QuarkusTestResourceLifecycleManager {

    static Path root;
    static GitHttpServer server;
    static GitHttpServer.TestRepository repo;

    @Override
    public Map<String, String> start() {
      try {
        root = Files.createTempDirectory("branchyard-spec-schedule-");
        server = GitHttpServer.start(root);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      repo = server.createRepository("acme/specs");
      repo.commit("main", Map.of("env-specs/blog.yaml", SpecYaml.valid("blog", "web")), "one");
      return Map.of(
          "branchyard.git.github-base-url", server.baseUrl(),
          "branchyard.specs.directory.enabled", "false",
          "branchyard.specs.git.url", "acme/specs",
          "branchyard.specs.git.interval", "1s");
    }

    @Override
    public void stop() {
      server.close();
      // The server serves from root but does not own it: leave no temp directory behind.
      try (Stream<Path> paths = Files.walk(root)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Inject SpecCatalog catalog;

  @Test
  void readsTheBranchOnScheduleAndFollowsNewCommits() {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> catalog.get("blog").map(LoadedSpec::sourceId).orElse(""),
            "git:acme/specs@main"::equals);

    String next =
        SpecRepository.repo.commit(
            "main",
            Map.of(
                "env-specs/blog.yaml", SpecYaml.valid("blog", "web"),
                "env-specs/shop.yaml", SpecYaml.valid("shop", "web")),
            "two");

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> catalog.get("shop").map(LoadedSpec::revision).orElse(""), next::equals);
    // The project's env-specs/ directory is disabled here: only git's specs are loaded.
    assertThat(catalog.all()).extracting(LoadedSpec::name).containsExactly("blog", "shop");
  }
}

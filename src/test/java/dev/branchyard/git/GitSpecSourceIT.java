package dev.branchyard.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.spec.LoadedSpec;
import dev.branchyard.spec.SpecCatalog;
import dev.branchyard.spec.SpecParser;
import dev.branchyard.spec.SpecProblem;
import dev.branchyard.testing.GitHttpServer;
import dev.branchyard.testing.GitHttpServer.TestRepository;
import dev.branchyard.testing.SpecYaml;
import dev.branchyard.testing.TestGitConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link GitSpecSource} against a real git server over HTTP. */
class GitSpecSourceIT {

  private static final AtomicInteger REPOS = new AtomicInteger();

  @TempDir static Path root;
  private static GitHttpServer server;

  @TempDir Path work;

  private final SpecCatalog catalog = new SpecCatalog(Clock.systemUTC());
  private String name;
  private TestRepository repo;
  private GitSpecSource source;

  @BeforeAll
  static void startServer() throws IOException {
    server = GitHttpServer.start(root);
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void createRepository() {
    // One repository per test, so no test sees another's commits.
    name = "acme/specs-" + REPOS.incrementAndGet();
    repo = server.createRepository(name);
    source = source(server, TestGitConfig.defaults());
  }

  @AfterEach
  void closeSource() {
    source.close();
  }

  private GitSpecSource source(GitHttpServer at, TestGitConfig config) {
    return new GitSpecSource(
        name,
        "main",
        "env-specs",
        work.resolve("cache"),
        config.withGithubBaseUrl(at.baseUrl()),
        new SpecParser(),
        catalog);
  }

  @Test
  void loadsEverySpecDirectlyUnderThePathAtTheBranchTip() {
    String tip =
        repo.commit(
            "main",
            Map.of(
                "env-specs/shop.yaml", SpecYaml.valid("shop", "web"),
                "env-specs/blog.yml", SpecYaml.valid("blog", "web"),
                "env-specs/schema/nested.yaml", SpecYaml.valid("nested", "web"),
                "env-specs/README.md", "not a spec",
                "elsewhere/other.yaml", SpecYaml.valid("other", "web")),
            "specs");

    source.poll();

    assertThat(catalog.all()).extracting(LoadedSpec::name).containsExactly("blog", "shop");
    LoadedSpec shop = catalog.get("shop").orElseThrow();
    assertThat(shop.sourceId()).isEqualTo("git:" + name + "@main");
    assertThat(shop.file()).isEqualTo("env-specs/shop.yaml");
    assertThat(shop.revision()).isEqualTo(tip);
    assertThat(catalog.problems()).isEmpty();
    assertThat(catalog.sourceFailures()).isEmpty();
  }

  @Test
  void keepsTheLastGoodSpecWhileACommitBreaksItAndLoadsTheFix() {
    String good =
        repo.commit(
            "main",
            Map.of(
                "env-specs/shop.yaml", SpecYaml.valid("shop", "web"),
                "env-specs/blog.yaml", SpecYaml.valid("blog", "web")),
            "good");
    source.poll();

    String broken =
        repo.commit(
            "main",
            Map.of(
                "env-specs/shop.yaml", SpecYaml.invalid("shop"),
                "env-specs/blog.yaml", SpecYaml.valid("blog", "web")),
            "break shop");
    source.poll();

    assertThat(catalog.get("shop").orElseThrow().revision()).isEqualTo(good);
    assertThat(catalog.get("shop").orElseThrow().spec().component("web")).isPresent();
    SpecProblem problem = catalog.problems().get(0);
    assertThat(catalog.problems()).hasSize(1);
    assertThat(problem.file()).isEqualTo("env-specs/shop.yaml");
    assertThat(problem.revision()).isEqualTo(broken);
    assertThat(problem.errors()).allSatisfy(e -> assertThat(e.file()).isEqualTo(problem.file()));
    assertThat(problem.kept()).isPresent();

    String fixed =
        repo.commit(
            "main",
            Map.of(
                "env-specs/shop.yaml", SpecYaml.valid("shop", "api"),
                "env-specs/blog.yaml", SpecYaml.valid("blog", "web")),
            "fix shop");
    source.poll();

    assertThat(catalog.get("shop").orElseThrow().revision()).isEqualTo(fixed);
    assertThat(catalog.get("shop").orElseThrow().spec().component("api")).isPresent();
    assertThat(catalog.get("blog").orElseThrow().revision()).isEqualTo(good);
    assertThat(catalog.problems()).isEmpty();
  }

  @Test
  void removesASpecDeletedByANewCommit() {
    repo.commit(
        "main",
        Map.of(
            "env-specs/shop.yaml", SpecYaml.valid("shop", "web"),
            "env-specs/blog.yaml", SpecYaml.valid("blog", "web")),
        "two");
    source.poll();

    repo.commit("main", Map.of("env-specs/blog.yaml", SpecYaml.valid("blog", "web")), "one");
    source.poll();

    assertThat(catalog.all()).extracting(LoadedSpec::name).containsExactly("blog");
  }

  @Test
  void onlyListsTheBranchWhenItsTipHasNotMoved() {
    repo.commit("main", Map.of("env-specs/shop.yaml", SpecYaml.valid("shop", "web")), "one");
    int before = server.requestCount(name);
    source.poll();
    int firstPoll = server.requestCount(name) - before;
    long version = catalog.version();

    source.poll();
    int secondPoll = server.requestCount(name) - before - firstPoll;

    assertThat(source.fetchCount()).isEqualTo(1);
    assertThat(catalog.version()).isEqualTo(version);
    assertThat(secondPoll).isPositive().isLessThan(firstPoll);
  }

  @Test
  void reportsAnUnreachableServerOnceAndKeepsTheSpecs() throws IOException {
    GitHttpServer doomed = GitHttpServer.start(Files.createDirectories(work.resolve("doomed")));
    doomed
        .createRepository(name)
        .commit("main", Map.of("env-specs/shop.yaml", SpecYaml.valid("shop", "web")), "one");
    GitSpecSource remote = source(doomed, TestGitConfig.defaults());
    remote.poll();
    assertThat(catalog.get("shop")).isPresent();
    doomed.close();

    remote.poll();
    long versionAfterFailure = catalog.version();
    remote.poll();
    remote.close();

    assertThat(catalog.sourceFailures())
        .hasEntrySatisfying(
            remote.sourceId(), reason -> assertThat(reason).contains("cannot connect"));
    assertThat(catalog.version()).isEqualTo(versionAfterFailure);
    assertThat(catalog.get("shop")).isPresent();
  }

  @Test
  void reportsRefusedCredentialsAndLoadsOnceTheyAreRight() {
    repo.commit("main", Map.of("env-specs/shop.yaml", SpecYaml.valid("shop", "web")), "one");
    server.requireBasicAuth(name, "x-access-token", "right-token");
    String host = server.host() + ":" + server.port();

    source.poll();

    assertThat(catalog.sourceFailures().get(source.sourceId())).contains("authentication failed");
    assertThat(catalog.all()).isEmpty();

    GitSpecSource authorized =
        source(server, TestGitConfig.defaults().withToken(host, "right-token"));
    try {
      authorized.poll();
    } finally {
      authorized.close();
    }

    assertThat(catalog.get("shop")).isPresent();
    assertThat(catalog.sourceFailures()).isEmpty();
  }

  @Test
  void reportsAMissingPathAndKeepsTheSpecsReadBefore() {
    repo.commit("main", Map.of("env-specs/shop.yaml", SpecYaml.valid("shop", "web")), "one");
    source.poll();

    String moved =
        repo.commit("main", Map.of("specs/shop.yaml", SpecYaml.valid("shop", "web")), "move");
    source.poll();

    assertThat(catalog.sourceFailures().get(source.sourceId()))
        .contains("no directory 'env-specs'")
        .contains(moved);
    assertThat(catalog.get("shop")).isPresent();
  }

  @Test
  void reportsAMissingBranch() {
    repo.commit("develop", Map.of("env-specs/shop.yaml", SpecYaml.valid("shop", "web")), "one");

    source.poll();

    assertThat(catalog.sourceFailures().get(source.sourceId())).contains("no branch 'main'");
  }
}

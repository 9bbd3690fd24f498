package dev.branchyard.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.branchyard.git.GitAccessException.Reason;
import dev.branchyard.spec.RefMatchError;
import dev.branchyard.spec.RefMatchResult;
import dev.branchyard.spec.RefRequest;
import dev.branchyard.spec.RemoteRefs;
import dev.branchyard.spec.ResolvedComponent;
import dev.branchyard.spec.ResolvedRefKind;
import dev.branchyard.spec.SpecParseResult;
import dev.branchyard.spec.SpecParser;
import dev.branchyard.spec.StackSpec;
import dev.branchyard.testing.TestGitConfig;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StackResolverTest {

  private static final String HEAD = "a".repeat(40);
  private static final String MAIN = "1".repeat(40);
  private static final String FEATURE = "2".repeat(40);
  private static final String PINNED = "3f786850e387550fdab836ed7e6dc881de23001b";

  private static final StackSpec SHOP =
      parse(
          """
          name: shop
          components:
            - name: web
              repo: acme/web
              deploy: {manifests: web}
            - name: api
              repo: acme/api
              deploy: {manifests: api}
            - name: worker
              repo: acme/worker
              deploy: {manifests: worker}
            - name: db
              repo: acme/db
              pin: %s
              deploy: {manifests: db}
          """
              .formatted(PINNED));

  private final RecordingGitRefs git = new RecordingGitRefs();
  private final RefResolver refResolver =
      new RefResolver(git, TestGitConfig.defaults(), Clock.systemUTC());
  private final StackResolver resolver = new StackResolver(refResolver);

  @AfterEach
  void close() {
    refResolver.close();
  }

  @Test
  void listsOnlyTheReposWhoseRefsDecideACommit() {
    git.advertise("acme/api", Map.of("main", MAIN, "feature/x", FEATURE));
    git.advertise("acme/worker", Map.of("main", MAIN));

    RefMatchResult result = resolver.resolve(SHOP, pr("acme/web", "feature/x"));

    assertThat(git.listed).containsExactlyInAnyOrder("acme/api", "acme/worker");
    assertThat(result).isInstanceOf(RefMatchResult.Resolved.class);
    RefMatchResult.Resolved resolved = (RefMatchResult.Resolved) result;
    assertThat(resolved.components())
        .extracting(
            ResolvedComponent::component, ResolvedComponent::refKind, ResolvedComponent::sha)
        .containsExactly(
            tuple("web", ResolvedRefKind.PullRequestHead, HEAD),
            tuple("api", ResolvedRefKind.Branch, FEATURE),
            tuple("worker", ResolvedRefKind.Branch, MAIN),
            tuple("db", ResolvedRefKind.Commit, PINNED));
  }

  @Test
  void failsOnlyTheComponentsOfAnUnreadableRepoAndSaysWhy() {
    git.advertise("acme/api", Map.of("main", MAIN));
    git.fail("acme/worker", Reason.AUTH_FAILED, "authentication failed: check credentials");

    RefMatchResult result = resolver.resolve(SHOP, pr("acme/web", "feature/x"));

    assertThat(result).isInstanceOf(RefMatchResult.Unresolved.class);
    assertThat(((RefMatchResult.Unresolved) result).errors())
        .singleElement()
        .satisfies(
            error -> {
              assertThat(error.component()).isEqualTo("worker");
              assertThat(error.message())
                  .contains("AUTH_FAILED")
                  .contains("acme/worker: authentication failed: check credentials");
            });
  }

  @Test
  void keepsTheMatchersExplanationWhenTheRepoWasReadButHasNoMatchingBranch() {
    git.advertise("acme/api", Map.of("develop", MAIN));
    git.advertise("acme/worker", Map.of("main", MAIN));

    RefMatchResult result = resolver.resolve(SHOP, pr("acme/web", "feature/x"));

    assertThat(((RefMatchResult.Unresolved) result).errors())
        .extracting(RefMatchError::component)
        .containsExactly("api");
    assertThat(((RefMatchResult.Unresolved) result).errors().get(0).message())
        .contains("feature/x")
        .contains("develop");
  }

  private static RefRequest pr(String repo, String branch) {
    return RefRequest.pullRequest(repo, HEAD, branch, "main");
  }

  private static StackSpec parse(String yaml) {
    SpecParseResult result = new SpecParser().parse("shop.yaml", yaml);
    assertThat(result).isInstanceOf(SpecParseResult.Valid.class);
    return ((SpecParseResult.Valid) result).spec();
  }

  /** Answers from a table and records which repos were listed. */
  private static final class RecordingGitRefs implements GitRefs {
    private final Map<String, Map<String, String>> branches = new ConcurrentHashMap<>();
    private final Map<String, GitAccessException> failures = new ConcurrentHashMap<>();
    final List<String> listed = new CopyOnWriteArrayList<>();

    void advertise(String repo, Map<String, String> repoBranches) {
      branches.put(repo, repoBranches);
    }

    void fail(String repo, Reason reason, String message) {
      failures.put(repo, new GitAccessException(repo, reason, message, null));
    }

    @Override
    public RemoteRefs list(String repo) throws GitAccessException {
      listed.add(repo);
      if (failures.containsKey(repo)) {
        throw failures.get(repo);
      }
      Map<String, String> repoBranches = branches.get(repo);
      if (repoBranches == null) {
        throw new GitAccessException(repo, Reason.NOT_FOUND, "not found", null);
      }
      return new RemoteRefs(repo, repoBranches, Map.of());
    }
  }
}

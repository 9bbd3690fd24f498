package dev.branchyard.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RefMatcherTest {

  private static final String HEAD = "a".repeat(40);
  private static final String MAIN = "1".repeat(40);
  private static final String FEATURE = "2".repeat(40);
  private static final String RELEASE = "3".repeat(40);
  private static final String DEVELOP = "4".repeat(40);
  private static final String TAG = "5".repeat(40);
  private static final String PINNED = "3f786850e387550fdab836ed7e6dc881de23001b";

  private final RefMatcher matcher = new RefMatcher();
  private final Map<String, RemoteRefs> refs = new HashMap<>();

  @Test
  void runsThePullRequestHeadInTheTriggeringRepo() {
    StackSpec spec = stack(component("web", "acme/web"));
    advertise("acme/web", Map.of("main", MAIN), Map.of());

    ResolvedComponent web = resolved(spec, pr("acme/web", "feature/x", "main")).component("web");

    assertThat(web)
        .isEqualTo(
            new ResolvedComponent(
                "web",
                "acme/web",
                ResolvedRefKind.PullRequestHead,
                "feature/x",
                HEAD,
                "the pull request's head commit on 'feature/x'"));
  }

  @Test
  void recognisesTheTriggeringRepoGivenAsUrlWhenTheSpecSaysOwnerName() {
    StackSpec spec = stack(component("web", "acme/web"));

    RefMatchResult.Resolved result =
        resolved(spec, pr("https://github.com/Acme/Web.git", "feature/x", "main"));

    assertThat(result.component("web").refKind()).isEqualTo(ResolvedRefKind.PullRequestHead);
  }

  @Test
  void recognisesTheTriggeringRepoGivenAsOwnerNameWhenTheSpecSaysUrl() {
    StackSpec spec = stack(component("web", "git@github.com:acme/web.git"));

    RefMatchResult.Resolved result = resolved(spec, pr("acme/web", "feature/x", "main"));

    assertThat(result.component("web").sha()).isEqualTo(HEAD);
  }

  @Test
  void runsThePullRequestHeadEvenWhenTheTriggeringComponentIsPinned() {
    StackSpec spec = stack(pinned("web", "acme/web", "v1.0.0"));

    assertThat(resolved(spec, pr("acme/web", "fix/y", "main")).component("web").refKind())
        .isEqualTo(ResolvedRefKind.PullRequestHead);
  }

  @Test
  void followsTheBranchNamedLikeThePullRequestsBranchWithSlashes() {
    StackSpec spec = stack(component("web", "acme/web"), component("api", "acme/api"));
    advertise("acme/api", Map.of("main", MAIN, "feature/checkout/v2", FEATURE), Map.of());

    ResolvedComponent api =
        resolved(spec, pr("acme/web", "feature/checkout/v2", "main")).component("api");

    assertThat(api.refKind()).isEqualTo(ResolvedRefKind.Branch);
    assertThat(api.refName()).isEqualTo("feature/checkout/v2");
    assertThat(api.sha()).isEqualTo(FEATURE);
    assertThat(api.reason())
        .isEqualTo("branch 'feature/checkout/v2', named like the pull request's branch");
  }

  @Test
  void fallsBackToBaseBranchWhenPrBranchIsMissing() {
    StackSpec spec = stack(component("web", "acme/web"), component("api", "acme/api"));
    advertise("acme/api", Map.of("main", MAIN, "release/2", RELEASE), Map.of());

    ResolvedComponent api =
        resolved(spec, pr("acme/web", "feature/x", "release/2")).component("api");

    assertThat(api.refName()).isEqualTo("release/2");
    assertThat(api.sha()).isEqualTo(RELEASE);
    assertThat(api.reason())
        .isEqualTo("no branch 'feature/x'; fell back to base branch 'release/2'");
  }

  @Test
  void fallsBackToMainWhenNeitherPrNorBaseBranchExists() {
    StackSpec spec = stack(component("web", "acme/web"), component("api", "acme/api"));
    advertise("acme/api", Map.of("main", MAIN), Map.of());

    ResolvedComponent api =
        resolved(spec, pr("acme/web", "feature/x", "release/2")).component("api");

    assertThat(api.refName()).isEqualTo("main");
    assertThat(api.reason())
        .isEqualTo("no branch 'feature/x', no base branch 'release/2'; fell back to 'main'");
  }

  @Test
  void takesThePrBranchWhereItExistsAndFallsBackWhereItDoesNot() {
    StackSpec spec =
        stack(
            component("web", "acme/web"),
            component("api", "acme/api"),
            component("worker", "acme/worker"));
    advertise("acme/api", Map.of("main", MAIN, "feature/x", FEATURE), Map.of());
    advertise("acme/worker", Map.of("main", MAIN), Map.of());

    RefMatchResult.Resolved result = resolved(spec, pr("acme/web", "feature/x", "main"));

    assertThat(result.components())
        .extracting(
            ResolvedComponent::component, ResolvedComponent::refKind, ResolvedComponent::refName)
        .containsExactly(
            tuple("web", ResolvedRefKind.PullRequestHead, "feature/x"),
            tuple("api", ResolvedRefKind.Branch, "feature/x"),
            tuple("worker", ResolvedRefKind.Branch, "main"));
  }

  @Test
  void usesTheComponentsOwnFallbackChainOverTheStacks() {
    ComponentSpec api =
        new ComponentSpec(
            "api",
            "acme/api",
            new RefPolicy.FollowBranch(Optional.of(List.of(new FallbackStep.Branch("develop")))),
            Optional.empty(),
            new DeploySpec.Manifests("api"),
            List.of());
    StackSpec spec = stack(component("web", "acme/web"), api);
    advertise("acme/api", Map.of("main", MAIN, "develop", DEVELOP), Map.of());

    assertThat(resolved(spec, pr("acme/web", "feature/x", "main")).component("api").refName())
        .isEqualTo("develop");
  }

  @Test
  void namesEverythingTriedWhenTheFallbackChainIsExhausted() {
    StackSpec spec = stack(component("web", "acme/web"), component("api", "acme/api"));
    advertise("acme/api", Map.of("develop", DEVELOP, "staging", MAIN), Map.of());

    RefMatchResult result = matcher.match(spec, pr("acme/web", "feature/x", "release/2"), refs);

    assertThat(result).isInstanceOf(RefMatchResult.Unresolved.class);
    assertThat(((RefMatchResult.Unresolved) result).errors())
        .extracting(RefMatchError::toString)
        .containsExactly(
            "api (acme/api): no branch 'feature/x', no base branch 'release/2', no 'main'; branches"
                + " available: develop, staging");
  }

  @Test
  void triesEachBranchOnceWhenBaseIsMain() {
    StackSpec spec = stack(component("web", "acme/web"), component("api", "acme/api"));
    advertise("acme/api", Map.of(), Map.of());

    RefMatchResult.Unresolved result =
        (RefMatchResult.Unresolved) matcher.match(spec, pr("acme/web", "feature/x", "main"), refs);

    assertThat(result.errors().get(0).message())
        .isEqualTo("no branch 'feature/x', no base branch 'main'; the repo has no branches");
  }

  @Test
  void skipsTheBaseStepForABranchPushedWithoutAPullRequest() {
    StackSpec spec = stack(component("web", "acme/web"), component("api", "acme/api"));
    advertise("acme/api", Map.of("main", MAIN), Map.of());

    ResolvedComponent api =
        resolved(spec, new RefRequest("acme/web", HEAD, "feature/x", Optional.empty()))
            .component("api");

    assertThat(api.reason())
        .isEqualTo(
            "no branch 'feature/x', no base branch (not a pull request); fell back to 'main'");
  }

  @Test
  void resolvesATagPinToThePeeledTagCommit() {
    StackSpec spec = stack(component("web", "acme/web"), pinned("api", "acme/api", "v2.14.1"));
    advertise("acme/api", Map.of("main", MAIN), Map.of("v2.14.1", TAG));

    ResolvedComponent api = resolved(spec, pr("acme/web", "feature/x", "main")).component("api");

    assertThat(api)
        .isEqualTo(
            new ResolvedComponent(
                "api", "acme/api", ResolvedRefKind.Tag, "v2.14.1", TAG, "pinned to tag 'v2.14.1'"));
  }

  @Test
  void prefersTheTagWhenABranchHasTheSameName() {
    StackSpec spec = stack(component("web", "acme/web"), pinned("api", "acme/api", "stable"));
    advertise("acme/api", Map.of("stable", MAIN), Map.of("stable", TAG));

    ResolvedComponent api = resolved(spec, pr("acme/web", "feature/x", "main")).component("api");

    assertThat(api.refKind()).isEqualTo(ResolvedRefKind.Tag);
    assertThat(api.sha()).isEqualTo(TAG);
    assertThat(api.reason())
        .isEqualTo(
            "pinned to tag 'stable' (a branch of that name exists too; pin refs/heads/stable to use it)");
  }

  @Test
  void resolvesAnExplicitBranchPinOverATagOfTheSameName() {
    StackSpec spec =
        stack(component("web", "acme/web"), pinned("api", "acme/api", "refs/heads/stable"));
    advertise("acme/api", Map.of("stable", MAIN), Map.of("stable", TAG));

    ResolvedComponent api = resolved(spec, pr("acme/web", "feature/x", "main")).component("api");

    assertThat(api.refKind()).isEqualTo(ResolvedRefKind.Branch);
    assertThat(api.sha()).isEqualTo(MAIN);
  }

  @Test
  void resolvesABranchPinWithSlashes() {
    StackSpec spec =
        stack(component("web", "acme/web"), pinned("search", "acme/search", "release/2025.11"));
    advertise("acme/search", Map.of("release/2025.11", RELEASE), Map.of());

    ResolvedComponent search =
        resolved(spec, pr("acme/web", "feature/x", "main")).component("search");

    assertThat(search.refKind()).isEqualTo(ResolvedRefKind.Branch);
    assertThat(search.sha()).isEqualTo(RELEASE);
    assertThat(search.reason()).isEqualTo("pinned to branch 'release/2025.11'");
  }

  @Test
  void acceptsAShaPinThatNoRefAdvertises() {
    StackSpec spec =
        stack(
            component("web", "acme/web"),
            pinned("payments", "acme/payments", PINNED.toUpperCase()));

    ResolvedComponent payments =
        resolved(spec, pr("acme/web", "feature/x", "main")).component("payments");

    assertThat(payments)
        .isEqualTo(
            new ResolvedComponent(
                "payments",
                "acme/payments",
                ResolvedRefKind.Commit,
                PINNED,
                PINNED,
                "pinned to commit " + PINNED));
  }

  @Test
  void listsTagsAndBranchesWhenAPinMatchesNeither() {
    StackSpec spec = stack(component("web", "acme/web"), pinned("api", "acme/api", "v9"));
    advertise("acme/api", Map.of("main", MAIN), Map.of("v1", TAG, "v2", TAG));

    RefMatchResult.Unresolved result =
        (RefMatchResult.Unresolved) matcher.match(spec, pr("acme/web", "feature/x", "main"), refs);

    assertThat(result.errors())
        .extracting(RefMatchError::toString)
        .containsExactly(
            "api (acme/api): pinned to 'v9', which is neither a tag nor a branch; tags available: v1,"
                + " v2; branches available: main");
  }

  @Test
  void findsRefsListedUnderAnotherSpellingOfTheRepo() {
    StackSpec spec =
        stack(component("web", "acme/web"), component("api", "https://github.com/acme/api"));
    advertise("acme/api", Map.of("main", MAIN), Map.of());

    assertThat(resolved(spec, pr("acme/web", "feature/x", "main")).component("api").sha())
        .isEqualTo(MAIN);
  }

  @Test
  void reportsEveryComponentWhoseRepoWasNotListed() {
    StackSpec spec =
        stack(
            component("web", "acme/web"), component("api", "acme/api"), component("db", "acme/db"));

    RefMatchResult.Unresolved result =
        (RefMatchResult.Unresolved) matcher.match(spec, pr("acme/web", "feature/x", "main"), refs);

    assertThat(result.errors()).extracting(RefMatchError::component).containsExactly("api", "db");
    assertThat(result.errors().get(0).message()).contains("its refs were not listed");
  }

  @Test
  void shortensLongListsOfAvailableBranches() {
    StackSpec spec = stack(component("web", "acme/web"), component("api", "acme/api"));
    Map<String, String> many = new LinkedHashMap<>();
    for (int i = 0; i < 13; i++) {
      many.put("b" + (char) ('a' + i), MAIN);
    }
    advertise("acme/api", many, Map.of());

    RefMatchResult.Unresolved result =
        (RefMatchResult.Unresolved)
            matcher.match(spec, pr("acme/web", "feature/x", "develop"), refs);

    assertThat(result.errors().get(0).message())
        .endsWith("branches available: ba, bb, bc, bd, be, bf, bg, bh, bi, bj and 3 more");
  }

  // --- helpers --------------------------------------------------------------------------------

  private RefMatchResult.Resolved resolved(StackSpec spec, RefRequest request) {
    RefMatchResult result = matcher.match(spec, request, refs);
    assertThat(result).isInstanceOf(RefMatchResult.Resolved.class);
    return (RefMatchResult.Resolved) result;
  }

  private void advertise(String repo, Map<String, String> branches, Map<String, String> tags) {
    refs.put(repo, new RemoteRefs(repo, branches, tags));
  }

  private static RefRequest pr(String repo, String branch, String base) {
    return RefRequest.pullRequest(repo, HEAD, branch, base);
  }

  private static ComponentSpec component(String name, String repo) {
    return new ComponentSpec(
        name,
        repo,
        RefPolicy.FollowBranch.withStackFallback(),
        Optional.empty(),
        new DeploySpec.Manifests(name),
        List.of());
  }

  private static ComponentSpec pinned(String name, String repo, String pin) {
    return new ComponentSpec(
        name,
        repo,
        new RefPolicy.Pinned(pin),
        Optional.empty(),
        new DeploySpec.Manifests(name),
        List.of());
  }

  private static StackSpec stack(ComponentSpec... components) {
    return new StackSpec(
        "shop",
        List.of(components),
        new Triggers(List.of(), List.of(), List.of(), false),
        Ttl.defaults(),
        StackSpec.DEFAULT_FALLBACK,
        Limits.defaults(),
        Resources.none(),
        Optional.empty(),
        Map.of(),
        List.of());
  }
}

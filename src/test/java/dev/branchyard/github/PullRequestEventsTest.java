package dev.branchyard.github;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.branchyard.github.EnvironmentIntent.Destroy;
import dev.branchyard.github.EnvironmentIntent.Ignore;
import dev.branchyard.github.EnvironmentIntent.Upsert;
import dev.branchyard.spec.SpecParseResult;
import dev.branchyard.spec.SpecParser;
import dev.branchyard.spec.StackSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PullRequestEventsTest {

  private static final String HEAD = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
  private static final String PUSHED = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";

  /**
   * env-specs/shop.yaml: repos acme/shop-web and acme/shop-api, bases main and release/*, label
   * preview.
   */
  private static StackSpec shop;

  /** env-specs/platform.yaml: other repos entirely. */
  private static StackSpec platform;

  /** Any PR of acme/shop-web, drafts too. */
  private static final StackSpec DOCS = spec("docs", "triggers:\n  drafts: true\n");

  @BeforeAll
  static void readPublishedSpecs() throws IOException {
    shop = parse("env-specs/shop.yaml", Files.readString(Path.of("env-specs/shop.yaml")));
    platform =
        parse("env-specs/platform.yaml", Files.readString(Path.of("env-specs/platform.yaml")));
  }

  // --- starting and updating ------------------------------------------------------------------

  @Test
  void openedPullRequestStartsEnvironmentAtItsHeadCommit() {
    List<EnvironmentIntent> intents = intents("pull_request.opened.json", List.of(shop));

    assertThat(intents)
        .containsExactly(
            new Upsert(
                "shop",
                "acme/shop-web",
                42,
                "feature/remember-address",
                "main",
                HEAD,
                "octocat",
                false,
                false,
                List.of("preview"),
                false));
  }

  @Test
  void pushToThePullRequestMovesEnvironmentToTheNewHead() {
    List<EnvironmentIntent> intents = intents("pull_request.synchronize.json", List.of(shop));

    assertThat(intents).singleElement().isInstanceOf(Upsert.class);
    assertThat(((Upsert) intents.get(0)).headSha()).isEqualTo(PUSHED);
  }

  @Test
  void reopenedPullRequestStartsEnvironmentAgain() {
    ObjectNode reopened = Webhooks.payload("pull_request.opened.json").put("action", "reopened");

    assertThat(PullRequestEvents.intents("pull_request", reopened, List.of(shop)))
        .singleElement()
        .isInstanceOf(Upsert.class);
  }

  @Test
  void onePullRequestStartsEnvironmentsOfEverySpecItMatches() {
    List<EnvironmentIntent> intents =
        intents("pull_request.opened.json", List.of(shop, platform, DOCS));

    assertThat(intents).hasSize(3);
    assertThat(intents.get(0)).isInstanceOf(Upsert.class);
    assertThat(((Upsert) intents.get(0)).specName()).isEqualTo("shop");
    assertThat(intents.get(1))
        .isEqualTo(
            new Ignore(
                "platform: acme/shop-web is not among the repos that trigger it (acme/gateway,"
                    + " acme/auth, acme/catalog, acme/orders, acme/payments)"));
    assertThat(((Upsert) intents.get(2)).specName()).isEqualTo("docs");
  }

  @Test
  void recognisesTheRepoWhateverItsLetterCase() {
    ObjectNode opened = Webhooks.payload("pull_request.opened.json");
    opened.withObject("/repository").put("full_name", "Acme/Shop-Web");

    assertThat(PullRequestEvents.intents("pull_request", opened, List.of(shop)))
        .singleElement()
        .isInstanceOf(Upsert.class);
  }

  @Test
  void baseBranchMustMatchOneOfTheSpecsPatterns() {
    assertThat(withBase("release/2026.11", shop)).singleElement().isInstanceOf(Upsert.class);
    assertThat(withBase("develop", shop))
        .containsExactly(new Ignore("shop: base branch 'develop' matches none of main, release/*"));
    assertThat(withBase("release/2026/11", shop)).singleElement().isInstanceOf(Ignore.class);
    assertThat(
            withBase(
                "release/2026/11", spec("rel", "triggers:\n  baseBranches: [\"release/**\"]\n")))
        .singleElement()
        .isInstanceOf(Upsert.class);
  }

  @Test
  void pullRequestWithoutARequiredLabelGetsNoEnvironment() {
    ObjectNode opened = Webhooks.payload("pull_request.opened.json");
    opened.withObject("/pull_request").putArray("labels").addObject().put("name", "bug");

    assertThat(PullRequestEvents.intents("pull_request", opened, List.of(shop)))
        .containsExactly(new Ignore("shop: needs the label 'preview'"));
  }

  @Test
  void requiredLabelsMatchWhateverTheirLetterCase() {
    ObjectNode opened = Webhooks.payload("pull_request.opened.json");
    opened.withObject("/pull_request").putArray("labels").addObject().put("name", "Preview");

    assertThat(PullRequestEvents.intents("pull_request", opened, List.of(shop)))
        .singleElement()
        .isInstanceOf(Upsert.class);
  }

  // --- drafts ---------------------------------------------------------------------------------

  @Test
  void draftPullRequestGetsNoEnvironmentUnlessTheSpecAllowsDrafts() {
    ObjectNode draft = Webhooks.payload("pull_request.opened.json");
    draft.withObject("/pull_request").put("draft", true);

    List<EnvironmentIntent> intents =
        PullRequestEvents.intents("pull_request", draft, List.of(shop, DOCS));

    assertThat(intents.get(0))
        .isEqualTo(new Ignore("shop: draft pull requests get no environment"));
    assertThat(intents.get(1)).isInstanceOf(Upsert.class);
    assertThat(((Upsert) intents.get(1)).draft()).isTrue();
  }

  @Test
  void readyForReviewStartsTheEnvironmentOfAFormerDraft() {
    ObjectNode ready =
        Webhooks.payload("pull_request.opened.json").put("action", "ready_for_review");

    assertThat(PullRequestEvents.intents("pull_request", ready, List.of(shop)))
        .singleElement()
        .isInstanceOf(Upsert.class);
  }

  @Test
  void convertingToDraftDestroysEnvironmentsOfSpecsWithoutDrafts() {
    ObjectNode drafted =
        Webhooks.payload("pull_request.opened.json").put("action", "converted_to_draft");
    drafted.withObject("/pull_request").put("draft", true);

    List<EnvironmentIntent> intents =
        PullRequestEvents.intents("pull_request", drafted, List.of(shop, DOCS));

    assertThat(intents.get(0))
        .isEqualTo(
            new Destroy(
                Optional.of("shop"),
                "acme/shop-web",
                42,
                "converted to draft; drafts get no environment"));
    assertThat(intents.get(1)).isInstanceOf(Ignore.class);
  }

  // --- labels ---------------------------------------------------------------------------------

  @Test
  void labeledEventStartsEnvironmentOnlyForRequiredLabel() {
    List<EnvironmentIntent> preview = intents("pull_request.labeled.json", List.of(shop, DOCS));
    ObjectNode bug = Webhooks.payload("pull_request.labeled.json");
    bug.withObject("/label").put("name", "bug");

    assertThat(preview.get(0)).isInstanceOf(Upsert.class);
    assertThat(((Upsert) preview.get(0)).labels()).containsExactly("bug", "preview");
    assertThat(preview.get(1))
        .isEqualTo(new Ignore("docs: label 'preview' does not start its environments"));
    assertThat(PullRequestEvents.intents("pull_request", bug, List.of(shop)))
        .containsExactly(new Ignore("shop: label 'bug' does not start its environments"));
  }

  @Test
  void labelingAPullRequestOfTheWrongBaseStartsNothing() {
    ObjectNode labeled = Webhooks.payload("pull_request.labeled.json");
    labeled.withObject("/pull_request/base").put("ref", "develop");

    assertThat(PullRequestEvents.intents("pull_request", labeled, List.of(shop)))
        .singleElement()
        .isInstanceOf(Ignore.class);
  }

  @Test
  void labelingAClosedPullRequestStartsNothing() {
    ObjectNode labeled = Webhooks.payload("pull_request.labeled.json");
    labeled.withObject("/pull_request").put("state", "closed");

    assertThat(PullRequestEvents.intents("pull_request", labeled, List.of(shop)))
        .containsExactly(new Ignore("pull request #42 is closed (labeled)"));
  }

  @Test
  void removingTheLastRequiredLabelDestroysTheEnvironment() {
    assertThat(intents("pull_request.unlabeled.json", List.of(shop, DOCS)))
        .containsExactly(
            new Destroy(
                Optional.of("shop"),
                "acme/shop-web",
                42,
                "label 'preview' removed; needs the label 'preview'"),
            new Ignore("docs: label 'preview' is not one its environments need"));
  }

  @Test
  void removingOneRequiredLabelKeepsTheEnvironmentWhileAnotherRemains() {
    StackSpec either = spec("either", "triggers:\n  labels: [preview, bug]\n");

    assertThat(intents("pull_request.unlabeled.json", List.of(either)))
        .containsExactly(new Ignore("either: the pull request still has a required label"));
  }

  // --- base branch changes --------------------------------------------------------------------

  @Test
  void movingTheBaseToAMatchingBranchStartsTheEnvironment() {
    List<EnvironmentIntent> intents = intents("pull_request.edited.json", List.of(shop));

    assertThat(intents).singleElement().isInstanceOf(Upsert.class);
    assertThat(((Upsert) intents.get(0)).baseBranch()).isEqualTo("release/2026.11");
  }

  @Test
  void movingTheBaseToABranchOutsideTheTriggersDestroysTheEnvironment() {
    ObjectNode edited = Webhooks.payload("pull_request.edited.json");
    edited.withObject("/pull_request/base").put("ref", "develop");

    assertThat(PullRequestEvents.intents("pull_request", edited, List.of(shop, platform)))
        .containsExactly(
            new Destroy(
                Optional.of("shop"),
                "acme/shop-web",
                42,
                "base branch changed from 'main' to 'develop'; shop: base branch 'develop'"
                    + " matches none of main, release/*"),
            new Ignore(
                "platform: acme/shop-web is not among the repos that trigger it (acme/gateway,"
                    + " acme/auth, acme/catalog, acme/orders, acme/payments)"));
  }

  @Test
  void editingOnlyTheTitleChangesNothing() {
    ObjectNode edited = Webhooks.payload("pull_request.edited.json");
    edited.putObject("changes").putObject("title").put("from", "Checkout: remember address");

    assertThat(PullRequestEvents.intents("pull_request", edited, List.of(shop)))
        .containsExactly(new Ignore("edited: only the title or description changed"));
  }

  // --- closing --------------------------------------------------------------------------------

  @Test
  void mergedPullRequestDestroysEveryEnvironmentOfThePullRequest() {
    assertThat(intents("pull_request.closed.json", List.of(shop, DOCS)))
        .containsExactly(new Destroy(Optional.empty(), "acme/shop-web", 42, "pull request merged"));
  }

  @Test
  void closedPullRequestIsDestroyedEvenWhenNoSpecMatchesItAnyMore() {
    ObjectNode closed = Webhooks.payload("pull_request.closed.json");
    closed.withObject("/pull_request").put("merged", false);

    assertThat(PullRequestEvents.intents("pull_request", closed, List.of()))
        .containsExactly(new Destroy(Optional.empty(), "acme/shop-web", 42, "pull request closed"));
  }

  // --- forks ----------------------------------------------------------------------------------

  @Test
  void forkPullRequestNeedsApproval() {
    ObjectNode fork = Webhooks.payload("pull_request.opened.json");
    fork.withObject("/pull_request/head/repo").put("full_name", "mallory/shop-web");

    List<EnvironmentIntent> intents =
        PullRequestEvents.intents("pull_request", fork, List.of(shop));

    assertThat(intents).singleElement().isInstanceOf(Upsert.class);
    Upsert upsert = (Upsert) intents.get(0);
    assertThat(upsert.fork()).isTrue();
    assertThat(upsert.needsApproval()).isTrue();
    assertThat(upsert.repo()).isEqualTo("acme/shop-web");
  }

  @Test
  void pullRequestWhoseForkWasDeletedCountsAsAFork() {
    ObjectNode orphan = Webhooks.payload("pull_request.synchronize.json");
    orphan.withObject("/pull_request/head").putNull("repo");

    Upsert upsert =
        (Upsert) PullRequestEvents.intents("pull_request", orphan, List.of(shop)).get(0);

    assertThat(upsert.fork()).isTrue();
    assertThat(upsert.needsApproval()).isTrue();
  }

  // --- everything else ------------------------------------------------------------------------

  @Test
  void pingIsIgnored() {
    assertThat(PullRequestEvents.intents("ping", Webhooks.payload("ping.json"), List.of(shop)))
        .containsExactly(new Ignore("ping: GitHub checking that the webhook is reachable"));
  }

  @Test
  void commentsAreLeftToChatCommands() {
    assertThat(
            PullRequestEvents.intents(
                "issue_comment", Webhooks.payload("issue_comment.created.json"), List.of(shop)))
        .containsExactly(new Ignore("issue_comment: comments are chat commands, not triggers"));
  }

  @Test
  void unknownEventIsIgnoredByName() {
    assertThat(PullRequestEvents.intents("push", Webhooks.payload("ping.json"), List.of(shop)))
        .containsExactly(new Ignore("event 'push' does not start or stop environments"));
  }

  @Test
  void actionsThatDoNotConcernEnvironmentsAreIgnored() {
    ObjectNode assigned = Webhooks.payload("pull_request.opened.json").put("action", "assigned");

    assertThat(PullRequestEvents.intents("pull_request", assigned, List.of(shop)))
        .containsExactly(new Ignore("pull_request action 'assigned' does not affect environments"));
  }

  @Test
  void malformedPayloadIsIgnoredNamingWhatIsMissing() {
    ObjectNode broken = Webhooks.payload("pull_request.opened.json");
    broken.withObject("/pull_request/head").remove("sha");
    broken.withObject("/pull_request").put("number", "42");

    assertThat(PullRequestEvents.intents("pull_request", broken, List.of(shop)))
        .containsExactly(
            new Ignore(
                "malformed pull_request payload: no pull_request.number, pull_request.head.sha"));
  }

  @Test
  void nothingStartsWhenNoSpecsAreLoaded() {
    assertThat(intents("pull_request.opened.json", List.of()))
        .containsExactly(new Ignore("no environment specs are loaded"));
  }

  // --- helpers --------------------------------------------------------------------------------

  private static List<EnvironmentIntent> intents(String file, List<StackSpec> specs) {
    return PullRequestEvents.intents("pull_request", Webhooks.payload(file), specs);
  }

  private static List<EnvironmentIntent> withBase(String base, StackSpec spec) {
    ObjectNode opened = Webhooks.payload("pull_request.opened.json");
    opened.withObject("/pull_request/base").put("ref", base);
    return PullRequestEvents.intents("pull_request", opened, List.of(spec));
  }

  /** A one-component stack of acme/shop-web with the given triggers section. */
  private static StackSpec spec(String name, String triggers) {
    return parse(
        name + ".yaml",
        "name: "
            + name
            + "\ncomponents:\n  - name: web\n    repo: acme/shop-web\n    deploy:\n      manifests: "
            + name
            + "\n"
            + triggers);
  }

  private static StackSpec parse(String file, String yaml) {
    SpecParseResult result = new SpecParser().parse(file, yaml);
    assertThat(result.errors()).isEmpty();
    return ((SpecParseResult.Valid) result).spec();
  }
}

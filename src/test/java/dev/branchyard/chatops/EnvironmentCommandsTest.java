package dev.branchyard.chatops;

import static dev.branchyard.chatops.ChatopsFakes.HEAD;
import static dev.branchyard.chatops.ChatopsFakes.PUSHED;
import static dev.branchyard.chatops.ChatopsFakes.REPO;
import static dev.branchyard.chatops.ChatopsFakes.pullRequest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.chatops.ChatopsFakes.Approvals;
import dev.branchyard.chatops.ChatopsFakes.Environments;
import dev.branchyard.chatops.ChatopsFakes.Permissions;
import dev.branchyard.chatops.ChatopsFakes.PullRequests;
import dev.branchyard.chatops.CommandReply.Result;
import dev.branchyard.github.PullRequestLookup.PullRequestInfo;
import dev.branchyard.github.RepoPermissions.Permission;
import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentRequests;
import dev.branchyard.lifecycle.TriggerSource;
import dev.branchyard.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EnvironmentCommandsTest {

  private static final String SHOP_42 = "shop-shop-web-pr42";
  private static final String SHOP_7 = "shop-shop-web-pr7";

  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T07:00:00Z"));
  private final Permissions permissions =
      new Permissions()
          .with("writer", Permission.WRITE)
          .with("maintainer", Permission.MAINTAIN)
          .with("admin", Permission.ADMIN)
          .with("reader", Permission.READ)
          .with("triager", Permission.TRIAGE);
  private final PullRequests pullRequests =
      new PullRequests().with(pullRequest(42, false)).with(pullRequest(7, true));
  private final Environments environments = new Environments(clock);
  private final EnvironmentCommands commands =
      new EnvironmentCommands(
          permissions,
          pullRequests,
          environments,
          new Approvals(environments),
          ChatopsFakes.catalog(clock),
          clock,
          "https://branchyard.example.com/");

  // --- up ---------------------------------------------------------------------------------------

  @Test
  void upCreatesTheEnvironmentOfEveryMatchingStackAtTheHeadCommit() {
    CommandReply reply = run(42, "writer", new ChatCommand.Up());

    assertThat(reply.result()).isEqualTo(Result.DONE);
    assertThat(environments.byName).containsOnlyKeys(SHOP_42);
    Environment created = environments.byName.get(SHOP_42);
    assertThat(created.getSpec().trigger().headSha()).isEqualTo(HEAD);
    assertThat(created.getSpec().trigger().source()).isEqualTo(TriggerSource.Chat);
    assertThat(created.getSpec().trigger().requestedBy()).isEqualTo("writer");
    assertThat(created.getSpec().trigger().fork()).isFalse();
    assertThat(reply.text())
        .contains("`" + SHOP_42 + "` (shop): created at 6dcb09b")
        .contains("https://branchyard.example.com/environments/" + SHOP_42);
  }

  @Test
  void upMovesAnExistingEnvironmentToThePullRequestsNewHead() {
    run(42, "writer", new ChatCommand.Up());
    pullRequests.with(withHead(pullRequest(42, false), PUSHED));

    CommandReply reply = run(42, "admin", new ChatCommand.Up());

    assertThat(reply.result()).isEqualTo(Result.DONE);
    assertThat(reply.text()).contains("moved to 0d1a26e");
    assertThat(environments.byName.get(SHOP_42).getSpec().trigger().headSha()).isEqualTo(PUSHED);
  }

  @Test
  void upSaysWhyWhenNoStackMatchesThePullRequest() {
    pullRequests.with(
        new PullRequestInfo(
            REPO,
            9,
            HEAD,
            "docs",
            "gh-pages",
            "octocat",
            false,
            true,
            true,
            List.of(),
            Instant.EPOCH));

    CommandReply reply = run(9, "writer", new ChatCommand.Up());

    assertThat(reply.result()).isEqualTo(Result.REFUSED);
    assertThat(reply.text())
        .contains("no stack's triggers match")
        .contains("shop: draft pull requests get no environment");
    assertThat(environments.changes).isEmpty();
  }

  @Test
  void upAlsoStartsLabelGatedStacksOnceThePullRequestHasTheLabel() {
    PullRequestInfo labelled = pullRequest(42, false);
    pullRequests.with(
        new PullRequestInfo(
            REPO,
            42,
            HEAD,
            labelled.branch(),
            "main",
            "octocat",
            false,
            false,
            true,
            List.of("preview"),
            Instant.EPOCH));

    run(42, "writer", new ChatCommand.Up());

    assertThat(environments.byName).containsOnlyKeys(SHOP_42, "labelled-shop-web-pr42");
  }

  @Test
  void upOnAClosedPullRequestIsRefused() {
    PullRequestInfo open = pullRequest(42, false);
    pullRequests.with(
        new PullRequestInfo(
            REPO,
            42,
            HEAD,
            open.branch(),
            "main",
            "octocat",
            false,
            false,
            false,
            List.of(),
            Instant.EPOCH));

    CommandReply reply = run(42, "writer", new ChatCommand.Up());

    assertThat(reply.result()).isEqualTo(Result.REFUSED);
    assertThat(reply.text()).contains("pull request #42 is closed");
    assertThat(environments.changes).isEmpty();
  }

  @Test
  void upOnAnUnknownPullRequestSaysSo() {
    CommandReply reply = run(404, "writer", new ChatCommand.Up());

    assertThat(reply.result()).isEqualTo(Result.REFUSED);
    assertThat(reply.text()).contains("no pull request #404 in acme/shop-web");
  }

  @Test
  void upOnAForkPullRequestIsRefusedUntilAMaintainerApprovesIt() {
    CommandReply reply = run(7, "writer", new ChatCommand.Up());

    assertThat(reply.result()).isEqualTo(Result.REFUSED);
    assertThat(reply.text()).contains("comes from a fork").contains("`/branchyard ok-to-test`");
    assertThat(environments.changes).isEmpty();
  }

  @Test
  void upOnAnApprovedForkPullRequestMovesItsEnvironment() {
    run(7, "maintainer", new ChatCommand.OkToTest());
    pullRequests.with(withHead(pullRequest(7, true), PUSHED));

    CommandReply reply = run(7, "writer", new ChatCommand.Up());

    assertThat(reply.result()).isEqualTo(Result.DONE);
    assertThat(environments.byName.get(SHOP_7).getSpec().trigger().headSha()).isEqualTo(PUSHED);
  }

  // --- ok-to-test -------------------------------------------------------------------------------

  @Test
  void okToTestCreatesTheForkEnvironmentWithoutSecretsAndMarksItApproved() {
    CommandReply reply = run(7, "maintainer", new ChatCommand.OkToTest());

    assertThat(reply.result()).isEqualTo(Result.DONE);
    assertThat(reply.text())
        .contains("Approved by @maintainer")
        .contains("without the stack's secrets");
    Environment environment = environments.byName.get(SHOP_7);
    assertThat(environment.getSpec().trigger().fork()).isTrue();
    assertThat(environment.getMetadata().getAnnotations())
        .containsEntry(EnvironmentRequests.FORK_APPROVED_BY_ANNOTATION, "maintainer");
    assertThat(environments.changes)
        .containsExactly("upsert " + SHOP_7 + " " + HEAD, "approve " + SHOP_7 + " by maintainer");
  }

  @Test
  void okToTestOnAPullRequestFromTheSameRepositoryBringsItUpWithoutAnApproval() {
    CommandReply reply = run(42, "writer", new ChatCommand.OkToTest());

    assertThat(reply.result()).isEqualTo(Result.DONE);
    assertThat(reply.text()).contains("is not from a fork, so it needs no approval");
    assertThat(environments.byName.get(SHOP_42).getMetadata().getAnnotations())
        .doesNotContainKey(EnvironmentRequests.FORK_APPROVED_BY_ANNOTATION);
  }

  // --- down, extend, rebuild --------------------------------------------------------------------

  @Test
  void downDestroysEveryEnvironmentOfThePullRequest() {
    run(42, "writer", new ChatCommand.Up());

    CommandReply reply = run(42, "writer", new ChatCommand.Down());

    assertThat(reply.result()).isEqualTo(Result.DONE);
    assertThat(reply.text()).contains("destroying `" + SHOP_42 + "`");
    assertThat(environments.byName).isEmpty();
    assertThat(environments.changes).contains("destroy [" + SHOP_42 + "] by writer");
  }

  @Test
  void downWithoutEnvironmentsSaysThereIsNothingToDestroy() {
    CommandReply reply = run(42, "writer", new ChatCommand.Down());

    assertThat(reply.result()).isEqualTo(Result.DONE);
    assertThat(reply.text()).contains("has no environments; nothing to destroy");
  }

  @Test
  void extendMovesTheExpiryAndSaysUntilWhen() {
    run(42, "writer", new ChatCommand.Up());
    environments.ready(SHOP_42, clock.instant().plus(Duration.ofHours(8)));

    CommandReply reply = run(42, "writer", new ChatCommand.Extend(Duration.ofHours(4)));

    assertThat(reply.result()).isEqualTo(Result.DONE);
    assertThat(reply.text()).contains("now expires 2026-12-02T19:00:00Z (in 12h)");
    assertThat(environments.changes).contains("extend " + SHOP_42 + " by 4h by writer");
  }

  @Test
  void extendPastTheStacksMaxTtlIsRefusedSayingHowMuchIsPossible() {
    run(42, "writer", new ChatCommand.Up());
    environments.ready(SHOP_42, clock.instant().plus(Duration.ofHours(8)));

    CommandReply reply = run(42, "writer", new ChatCommand.Extend(Duration.ofDays(2)));

    assertThat(reply.result()).isEqualTo(Result.REFUSED);
    assertThat(reply.text())
        .contains("not extended: the stack's max TTL ends at")
        .contains("at most 16h");
  }

  @Test
  void extendWithoutEnvironmentsIsRefusedPointingAtUp() {
    CommandReply reply = run(42, "writer", new ChatCommand.Extend(Duration.ofHours(1)));

    assertThat(reply.result()).isEqualTo(Result.REFUSED);
    assertThat(reply.text()).contains("#42 has no environments. `/branchyard up` creates them");
  }

  @Test
  void rebuildOfOneComponentAsksForThatComponentOnly() {
    run(42, "writer", new ChatCommand.Up());

    CommandReply reply = run(42, "writer", new ChatCommand.Rebuild(Optional.of("api")));

    assertThat(reply.result()).isEqualTo(Result.DONE);
    assertThat(reply.text()).contains("rebuilding `api`");
    assertThat(environments.changes).contains("rebuild " + SHOP_42 + " api by writer");
  }

  @Test
  void rebuildOfEverythingAsksForEveryComponent() {
    run(42, "writer", new ChatCommand.Up());

    CommandReply reply = run(42, "writer", new ChatCommand.Rebuild(Optional.empty()));

    assertThat(reply.result()).isEqualTo(Result.DONE);
    assertThat(environments.changes).contains("rebuild " + SHOP_42 + " * by writer");
  }

  @Test
  void rebuildOfAnUnknownComponentIsRefusedNamingTheValidOnes() {
    run(42, "writer", new ChatCommand.Up());

    CommandReply reply = run(42, "writer", new ChatCommand.Rebuild(Optional.of("db")));

    assertThat(reply.result()).isEqualTo(Result.REFUSED);
    assertThat(reply.text()).contains("no component 'db'; its components are web, api");
  }

  // --- status and help: anyone ----------------------------------------------------------------

  @Test
  void statusShowsPhaseCommitUrlAndExpiryToAnyoneWithoutAskingGitHub() {
    run(42, "writer", new ChatCommand.Up());
    environments.ready(SHOP_42, clock.instant().plus(Duration.ofHours(8)));
    permissions.asked.clear();

    CommandReply reply = run(42, "stranger", new ChatCommand.Status());

    assertThat(reply.result()).isEqualTo(Result.DONE);
    assertThat(reply.text())
        .contains("`" + SHOP_42 + "`: Ready at 6dcb09b")
        .contains("https://" + SHOP_42 + ".preview.example.com")
        .contains("expires 2026-12-02T15:00:00Z (in 8h)")
        .contains("status page: https://branchyard.example.com/environments/" + SHOP_42);
    assertThat(permissions.asked).isEmpty();
  }

  @Test
  void statusOfAnEnvironmentTheControllerHasNotSeenSaysPending() {
    run(42, "writer", new ChatCommand.Up());

    assertThat(run(42, "stranger", new ChatCommand.Status()).text())
        .contains("Pending (not picked up by the controller yet)");
  }

  @Test
  void statusWithoutEnvironmentsSaysSo() {
    assertThat(run(42, "stranger", new ChatCommand.Status()).text())
        .contains("#42 of acme/shop-web has no environments");
  }

  @Test
  void helpIsForAnyoneAndInACodeBlock() {
    CommandReply reply = run(42, "stranger", new ChatCommand.Help());

    assertThat(reply.result()).isEqualTo(Result.DONE);
    assertThat(reply.text()).contains("```\n").contains("/branchyard extend <duration>");
    assertThat(permissions.asked).isEmpty();
  }

  // --- denied -----------------------------------------------------------------------------------

  static Stream<Arguments> mutatingCommandsAndTooLittlePermission() {
    List<ChatCommand> mutating =
        List.of(
            new ChatCommand.Up(),
            new ChatCommand.Down(),
            new ChatCommand.Extend(Duration.ofHours(8)),
            new ChatCommand.Rebuild(Optional.empty()),
            new ChatCommand.Rebuild(Optional.of("api")),
            new ChatCommand.OkToTest());
    return mutating.stream()
        .flatMap(
            command ->
                Stream.of(
                    Arguments.of(
                        command,
                        "stranger",
                        "has no permission on acme/shop-web (not a collaborator)"),
                    Arguments.of(command, "reader", "has read permission on acme/shop-web"),
                    Arguments.of(command, "triager", "has triage permission on acme/shop-web")));
  }

  @ParameterizedTest
  @MethodSource("mutatingCommandsAndTooLittlePermission")
  void mutatingCommandIsRefusedWithoutWritePermissionSayingWhoHasWhatAndWhatIsNeeded(
      ChatCommand command, String login, String has) {
    run(42, "writer", new ChatCommand.Up());
    environments.ready(SHOP_42, clock.instant().plus(Duration.ofHours(8)));
    environments.changes.clear();

    CommandReply reply = run(42, login, command);

    assertThat(reply.result()).isEqualTo(Result.REFUSED);
    assertThat(reply.text())
        .startsWith("@" + login + " cannot run `" + EnvironmentCommands.words(command) + "`")
        .contains("it needs write permission (or maintain or admin) on acme/shop-web")
        .contains("@" + login + " " + has);
    assertThat(environments.changes).isEmpty();
    assertThat(environments.byName).containsOnlyKeys(SHOP_42);
  }

  @Test
  void forkApprovalByAReaderCreatesNothing() {
    CommandReply reply = run(7, "reader", new ChatCommand.OkToTest());

    assertThat(reply.result()).isEqualTo(Result.REFUSED);
    assertThat(environments.byName).isEmpty();
  }

  @Test
  void mutatingCommandFailsWithoutChangesWhenGitHubCannotTellThePermission() {
    permissions.unavailable = true;

    CommandReply reply = run(42, "writer", new ChatCommand.Up());

    assertThat(reply.result()).isEqualTo(Result.FAILED);
    assertThat(reply.text())
        .contains("GitHub could not tell @writer's permission on acme/shop-web")
        .contains("Try again");
    assertThat(environments.changes).isEmpty();
  }

  private CommandReply run(int number, String login, ChatCommand command) {
    return commands.run(REPO, number, login, command);
  }

  private static PullRequestInfo withHead(PullRequestInfo info, String sha) {
    return new PullRequestInfo(
        info.repo(),
        info.number(),
        sha,
        info.branch(),
        info.baseBranch(),
        info.author(),
        info.fork(),
        info.draft(),
        info.open(),
        info.labels(),
        info.updatedAt().plusSeconds(60));
  }
}

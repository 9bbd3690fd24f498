package dev.branchyard.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.branchyard.chatops.PullRequestCommands.PullRequestComment;
import dev.branchyard.github.WebhookIntake.Delivery;
import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentRequests;
import dev.branchyard.lifecycle.Trigger;
import dev.branchyard.lifecycle.TriggerSource;
import dev.branchyard.spec.SourceSnapshot;
import dev.branchyard.spec.SpecCatalog;
import dev.branchyard.spec.SpecParser;
import dev.branchyard.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The intake's decisions, with the environments port in memory: each event's effect, signatures,
 * repeats, failures. WebhookIntakeIT runs the same through HTTP against the real API server.
 */
class WebhookIntakeTest {

  private static final String SECRET = "it-is-a-secret";
  private static final String HEAD = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
  private static final String PUSHED = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";

  private final ObjectMapper json = new ObjectMapper();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-20T14:00:00Z"));
  private final FakeEnvironmentRequests environments = new FakeEnvironmentRequests();
  private final List<PullRequestComment> handedOff = new ArrayList<>();
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private final MemoryIntakeJournal journal = new MemoryIntakeJournal();
  private SpecCatalog catalog;
  private WebhookIntake intake;

  @BeforeEach
  void startWithTheShopStack() throws IOException {
    catalog = new SpecCatalog(clock);
    catalog.apply(
        "test",
        SourceSnapshot.atRevision(
            "1",
            List.of(
                new SpecParser()
                    .parse("shop.yaml", Files.readString(Path.of("env-specs/shop.yaml"))))));
    intake = intake(TestGitHubConfig.withSecret(SECRET));
  }

  private WebhookIntake intake(GitHubConfig config) {
    return new WebhookIntake(
        config,
        new InMemoryDeliveryLedger(100, Duration.ofHours(1), clock),
        catalog,
        environments,
        new IntakeRecorder(journal, environments, config.intake(), clock),
        handedOff::add,
        metrics,
        json,
        clock);
  }

  // ---- signatures, repeats, sizes ------------------------------------------------------------

  @Test
  void rejectsDeliveryWithBadSignatureAndDoesNothingElse() {
    byte[] body = bytes("pull_request.opened.json");
    String id = UUID.randomUUID().toString();

    DeliveryOutcome outcome =
        intake.receive(delivery("pull_request", id, WebhookSignature.sign("not-it", body), body));

    assertThat(outcome.status()).isEqualTo(401);
    assertThat(environments.environments).isEmpty();
    // The refused id was not remembered: the real delivery with it is taken in.
    assertThat(intake.receive(signed("pull_request", id, body)).status()).isEqualTo(202);
    assertThat(environments.shop(42)).isPresent();
  }

  @Test
  void rejectsDeliveryWithoutSignature() {
    byte[] body = bytes("pull_request.opened.json");

    DeliveryOutcome outcome = intake.receive(delivery("pull_request", "d-1", null, body));

    assertThat(outcome.status()).isEqualTo(401);
    assertThat(outcome.message()).contains("no X-Hub-Signature-256");
    assertThat(environments.environments).isEmpty();
  }

  @Test
  void acceptsDeliverySignedWithThePreviousSecretDuringARotation() {
    intake =
        intake(
            new TestGitHubConfig(
                Optional.of("new-secret"), Optional.of(SECRET), 25L << 20, Duration.ofSeconds(10)));
    byte[] body = bytes("pull_request.opened.json");

    DeliveryOutcome outcome = intake.receive(signed("pull_request", "d-1", body));

    assertThat(outcome.status()).isEqualTo(202);
    assertThat(environments.shop(42)).isPresent();
  }

  @Test
  void refusesEveryDeliveryWhenNoSecretIsConfigured() {
    intake =
        intake(
            new TestGitHubConfig(
                Optional.empty(), Optional.empty(), 25L << 20, Duration.ofSeconds(10)));
    byte[] body = bytes("pull_request.opened.json");

    DeliveryOutcome outcome = intake.receive(signed("pull_request", "d-1", body));

    assertThat(outcome.status()).isEqualTo(503);
    assertThat(outcome.result()).isEqualTo("unconfigured");
    assertThat(environments.environments).isEmpty();
  }

  @Test
  void refusesBodiesOverTheConfiguredSize() {
    intake =
        intake(
            new TestGitHubConfig(
                Optional.of(SECRET), Optional.empty(), 1024, Duration.ofSeconds(10)));
    byte[] body = bytes("pull_request.opened.json");

    assertThat(intake.receive(signed("pull_request", "d-1", body)).status()).isEqualTo(413);
    assertThat(environments.environments).isEmpty();
  }

  @Test
  void acknowledgesARedeliveryWithoutActingAgain() {
    byte[] body = bytes("pull_request.closed.json");
    intake.receive(signed("pull_request", "d-0", bytes("pull_request.opened.json")));
    assertThat(intake.receive(signed("pull_request", "d-1", body)).result()).isEqualTo("recorded");
    // Were it acted on again, the environment re-created in between would be destroyed.
    environments.upsert(
        new EnvironmentRequests.Upsert(
            "shop",
            new Trigger(
                TriggerSource.Chat, "acme/shop-web", 42, "b", "main", HEAD, "octocat", false),
            Optional.empty(),
            clock.instant()));

    DeliveryOutcome again = intake.receive(signed("pull_request", "d-1", body));

    assertThat(again.status()).isEqualTo(200);
    assertThat(again.result()).isEqualTo("duplicate");
    assertThat(environments.shop(42)).isPresent();
  }

  @Test
  void answersPing() {
    DeliveryOutcome outcome = intake.receive(signed("ping", "d-1", bytes("ping.json")));

    assertThat(outcome.status()).isEqualTo(200);
    assertThat(outcome.result()).isEqualTo("ping");
  }

  @Test
  void ignoresEventsItDoesNotActOnWith202() {
    DeliveryOutcome outcome =
        intake.receive(signed("star", "d-1", "{\"action\":\"created\"}".getBytes()));

    assertThat(outcome.status()).isEqualTo(202);
    assertThat(outcome.result()).isEqualTo("ignored");
    assertThat(
            metrics
                .counter(WebhookIntake.DELIVERIES_METRIC, "event", "other", "result", "ignored")
                .count())
        .isEqualTo(1);
  }

  @Test
  void rejectsABodyThatIsNotJson() {
    DeliveryOutcome outcome = intake.receive(signed("pull_request", "d-1", "not json".getBytes()));

    assertThat(outcome.status()).isEqualTo(400);
  }

  @Test
  void takesInAFormEncodedDelivery() {
    String form =
        "payload="
            + URLEncoder.encode(
                new String(bytes("pull_request.opened.json"), StandardCharsets.UTF_8),
                StandardCharsets.UTF_8);
    byte[] body = form.getBytes(StandardCharsets.UTF_8);

    DeliveryOutcome outcome =
        intake.receive(
            new Delivery(
                Optional.of("pull_request"),
                Optional.of("d-1"),
                Optional.of(WebhookSignature.sign(SECRET, body)),
                Optional.of("application/x-www-form-urlencoded"),
                body));

    assertThat(outcome.status()).isEqualTo(202);
    assertThat(environments.shop(42)).isPresent();
  }

  // ---- pull_request ----------------------------------------------------------------------------

  @Test
  void openedPullRequestWithTheRequiredLabelRecordsAnEnvironmentAtItsHead() {
    DeliveryOutcome outcome =
        intake.receive(signed("pull_request", "d-1", bytes("pull_request.opened.json")));

    assertThat(outcome.status()).isEqualTo(202);
    assertThat(outcome.result()).isEqualTo("recorded");
    Environment environment = environments.shop(42).orElseThrow();
    assertThat(environment.getSpec().trigger().headSha()).isEqualTo(HEAD);
    assertThat(environment.getSpec().trigger().fork()).isFalse();
    assertThat(environment.getMetadata().getAnnotations())
        .containsEntry(EnvironmentRequests.REQUESTED_AT_ANNOTATION, "2026-11-20T09:14:02Z");
  }

  @Test
  void pullRequestWithoutTheRequiredLabelGetsNoEnvironmentUntilItIsAdded() {
    ObjectNode opened = Webhooks.payload("pull_request.opened.json");
    ((ArrayNode) opened.at("/pull_request/labels")).removeAll();

    DeliveryOutcome outcome = intake.receive(signed("pull_request", "d-1", bytes(opened)));

    assertThat(outcome.result()).isEqualTo("ignored");
    assertThat(outcome.details()).anyMatch(d -> d.contains("needs the label 'preview'"));
    assertThat(environments.environments).isEmpty();

    intake.receive(signed("pull_request", "d-2", bytes("pull_request.labeled.json")));

    assertThat(environments.shop(42)).isPresent();
  }

  @Test
  void synchronizeMovesTheEnvironmentToTheNewHead() {
    intake.receive(signed("pull_request", "d-1", bytes("pull_request.opened.json")));

    DeliveryOutcome outcome =
        intake.receive(signed("pull_request", "d-2", bytes("pull_request.synchronize.json")));

    assertThat(outcome.details()).containsExactly("shop-shop-web-pr42: updated");
    assertThat(environments.shop(42).orElseThrow().getSpec().trigger().headSha()).isEqualTo(PUSHED);
  }

  @Test
  void anOlderSynchronizeArrivingLateNeverMovesTheEnvironmentBack() {
    intake.receive(signed("pull_request", "d-2", bytes("pull_request.synchronize.json")));

    DeliveryOutcome late =
        intake.receive(signed("pull_request", "d-1", bytes("pull_request.opened.json")));

    assertThat(late.details()).containsExactly("shop-shop-web-pr42: stale");
    assertThat(environments.shop(42).orElseThrow().getSpec().trigger().headSha()).isEqualTo(PUSHED);
  }

  @Test
  void closedPullRequestDestroysItsEnvironmentsAndALateSynchronizeDoesNotBringThemBack() {
    intake.receive(signed("pull_request", "d-1", bytes("pull_request.opened.json")));

    DeliveryOutcome closed =
        intake.receive(signed("pull_request", "d-2", bytes("pull_request.closed.json")));
    DeliveryOutcome late =
        intake.receive(signed("pull_request", "d-3", bytes("pull_request.synchronize.json")));

    assertThat(closed.result()).isEqualTo("recorded");
    assertThat(environments.destroyed).containsExactly("shop-shop-web-pr42");
    assertThat(late.details())
        .containsExactly("shop-shop-web-pr42: stale (destroyed by a newer event)");
    assertThat(environments.environments).isEmpty();

    intake.receive(signed("pull_request", "d-4", bytes("pull_request.reopened.json")));

    assertThat(environments.shop(42)).isPresent();
  }

  @Test
  void removingTheRequiredLabelDestroysTheEnvironment() {
    intake.receive(signed("pull_request", "d-1", bytes("pull_request.opened.json")));

    intake.receive(signed("pull_request", "d-2", bytes("pull_request.unlabeled.json")));

    assertThat(environments.destroyed).containsExactly("shop-shop-web-pr42");
  }

  @Test
  void baseBranchChangeKeepsTheEnvironmentWhenTheNewBaseStillMatches() {
    intake.receive(signed("pull_request", "d-1", bytes("pull_request.opened.json")));

    intake.receive(signed("pull_request", "d-2", bytes("pull_request.edited.json")));

    assertThat(environments.shop(42).orElseThrow().getSpec().trigger().baseBranch())
        .isEqualTo("release/2026.11");
  }

  @Test
  void baseBranchChangeToAnUntriggeredBaseDestroysTheEnvironment() {
    intake.receive(signed("pull_request", "d-1", bytes("pull_request.opened.json")));
    ObjectNode edited = Webhooks.payload("pull_request.edited.json");
    ((ObjectNode) edited.at("/pull_request/base")).put("ref", "experiments");

    intake.receive(signed("pull_request", "d-2", bytes(edited)));

    assertThat(environments.destroyed).containsExactly("shop-shop-web-pr42");
  }

  @Test
  void draftPullRequestGetsNoEnvironment() {
    ObjectNode opened = Webhooks.payload("pull_request.opened.json");
    ((ObjectNode) opened.get("pull_request")).put("draft", true);

    intake.receive(signed("pull_request", "d-1", bytes(opened)));

    assertThat(environments.environments).isEmpty();
  }

  // ---- forks -----------------------------------------------------------------------------------

  @Test
  void forkPullRequestGetsNoEnvironmentUntilApproved() {
    DeliveryOutcome outcome =
        intake.receive(signed("pull_request", "d-1", bytes("pull_request.opened.fork.json")));

    assertThat(outcome.result()).isEqualTo("ignored");
    assertThat(outcome.details()).anyMatch(d -> d.contains("/branchyard ok-to-test"));
    assertThat(environments.environments).isEmpty();
  }

  @Test
  void approvedForkPullRequestFollowsNewPushesAsAFork() {
    recordForkEnvironmentAsChatopsDoes();
    environments.approve("shop-shop-web-pr43", "monalisa");

    intake.receive(signed("pull_request", "d-1", bytes(forkPushedTo(PUSHED))));

    Trigger trigger = environments.shop(43).orElseThrow().getSpec().trigger();
    assertThat(trigger.headSha()).isEqualTo(PUSHED);
    assertThat(trigger.fork()).isTrue();
    assertThat(trigger.source()).isEqualTo(TriggerSource.PullRequest);
  }

  @Test
  void forkEnvironmentWithoutTheApprovalAnnotationIsNotMoved() {
    recordForkEnvironmentAsChatopsDoes();

    DeliveryOutcome outcome =
        intake.receive(signed("pull_request", "d-1", bytes(forkPushedTo(PUSHED))));

    assertThat(outcome.result()).isEqualTo("ignored");
    assertThat(environments.shop(43).orElseThrow().getSpec().trigger().headSha())
        .isEqualTo("a5c3785ed8d6a35868bc169f07e40e889087fd2e");
  }

  /** ok-to-test's upsert: the fork PR's environment, marked as a fork. */
  private void recordForkEnvironmentAsChatopsDoes() {
    environments.upsert(
        new EnvironmentRequests.Upsert(
            "shop",
            new Trigger(
                TriggerSource.Chat,
                "acme/shop-web",
                43,
                "fix/typo",
                "main",
                "a5c3785ed8d6a35868bc169f07e40e889087fd2e",
                "monalisa",
                true),
            Optional.empty(),
            Instant.parse("2026-11-20T09:15:00Z")));
  }

  private static ObjectNode forkPushedTo(String sha) {
    ObjectNode pushed = Webhooks.payload("pull_request.opened.fork.json");
    pushed.put("action", "synchronize");
    ObjectNode pr = (ObjectNode) pushed.get("pull_request");
    pr.put("updated_at", "2026-11-20T10:00:00Z");
    ((ObjectNode) pr.get("head")).put("sha", sha);
    return pushed;
  }

  // ---- failures --------------------------------------------------------------------------------

  @Test
  void acceptsAChangeWhileTheApiServerIsDownAndRecordsItOnceItIsBack() {
    intake = intake(TestGitHubConfig.withSecret(SECRET).withAckWait(Duration.ofMillis(50)));
    environments.failing = true;

    DeliveryOutcome down =
        intake.receive(signed("pull_request", "d-1", bytes("pull_request.opened.json")));

    assertThat(down.status()).isEqualTo(202);
    assertThat(down.result()).isEqualTo("accepted");
    assertThat(down.details()).containsExactly("shop-shop-web-pr42: accepted");
    assertThat(journal.unfinished).hasSize(1);

    environments.failing = false;
    await().atMost(Duration.ofSeconds(10)).until(() -> environments.shop(42).isPresent());
    await().atMost(Duration.ofSeconds(2)).until(() -> journal.unfinished.isEmpty());
  }

  @Test
  void answersAtOnceWithoutWaitingForAckWaitWhileOtherChangesWaitToBeRecorded() {
    intake = intake(TestGitHubConfig.withSecret(SECRET).withAckWait(Duration.ofSeconds(3)));
    environments.failing = true;
    intake.receive(signed("pull_request", "d-1", bytes("pull_request.opened.json")));
    ObjectNode other = Webhooks.payload("pull_request.opened.json");
    other.put("number", 43);
    ((ObjectNode) other.get("pull_request")).put("number", 43);

    long start = System.nanoTime();
    DeliveryOutcome queued = intake.receive(signed("pull_request", "d-2", bytes(other)));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(queued.status()).isEqualTo(202);
    assertThat(queued.details()).containsExactly("shop-shop-web-pr43: accepted");
    // Behind the first change it would not be recorded within ack-wait: no 3 s wait for nothing.
    assertThat(took).isLessThan(Duration.ofMillis(1500));
    assertThat(journal.unfinished).hasSize(2);
    environments.failing = false;
    await().atMost(Duration.ofSeconds(10)).until(() -> environments.shop(43).isPresent());
  }

  @Test
  void answers503WhenTheChangeCannotBeWrittenDownAndTakesTheRedeliveryIn() {
    journal.broken = true;
    byte[] body = bytes("pull_request.opened.json");

    DeliveryOutcome down = intake.receive(signed("pull_request", "d-1", body));

    assertThat(down.status()).isEqualTo(503);
    assertThat(down.result()).isEqualTo("unavailable");
    assertThat(environments.shop(42)).isEmpty();

    journal.broken = false;
    DeliveryOutcome redelivered = intake.receive(signed("pull_request", "d-1", body));

    assertThat(redelivered.status()).isEqualTo(202);
    assertThat(redelivered.details()).containsExactly("shop-shop-web-pr42: created");
    assertThat(environments.shop(42)).isPresent();
  }

  @Test
  void recordsWhatAPreviousRunAcceptedButDidNotRecord() {
    Trigger trigger =
        new Trigger(
            TriggerSource.PullRequest,
            "acme/shop-web",
            42,
            "feature",
            "main",
            HEAD,
            "octocat",
            false);
    journal.recovered.add(
        new IntakeJournal.Journaled(
            7,
            new EnvironmentRequests.Upsert(
                "shop", trigger, Optional.empty(), Instant.parse("2026-11-20T13:00:00Z")),
            clock.instant()));
    journal.unfinished.put(7L, journal.recovered.get(0).upsert());

    new IntakeRecorder(journal, environments, TestGitHubConfig.withSecret(SECRET).intake(), clock)
        .recoverJournal();

    await().atMost(Duration.ofSeconds(10)).until(() -> environments.shop(42).isPresent());
    await().atMost(Duration.ofSeconds(2)).until(() -> journal.unfinished.isEmpty());
  }

  // ---- push, comments, installations -----------------------------------------------------------

  @Test
  void pushMovesTheEnvironmentThatFollowsTheBranch() {
    environments.upsert(
        new EnvironmentRequests.Upsert(
            "shop",
            new Trigger(
                TriggerSource.Api, "acme/shop-web", null, "develop", null, HEAD, "octocat", false),
            Optional.empty(),
            Instant.parse("2026-11-20T09:00:00Z")));
    environments.upsert(
        new EnvironmentRequests.Upsert(
            "shop",
            new Trigger(
                TriggerSource.Api, "acme/shop-web", null, "main", null, HEAD, "octocat", false),
            Optional.empty(),
            Instant.parse("2026-11-20T09:00:00Z")));

    DeliveryOutcome outcome = intake.receive(signed("push", "d-1", bytes("push.json")));

    assertThat(outcome.result()).isEqualTo("recorded");
    assertThat(environments.environments.values())
        .extracting(e -> e.getSpec().trigger().branch() + "@" + e.getSpec().trigger().headSha())
        .containsExactlyInAnyOrder(
            "develop@3c8e5a4bf3e8d1c2f7b9a0e1d2c3b4a5f6e7d8c9", "main@" + HEAD);
  }

  @Test
  void pushToABranchNoEnvironmentFollowsChangesNothing() {
    DeliveryOutcome outcome = intake.receive(signed("push", "d-1", bytes("push.json")));

    assertThat(outcome.status()).isEqualTo(202);
    assertThat(outcome.result()).isEqualTo("ignored");
    assertThat(environments.environments).isEmpty();
  }

  @Test
  void handsACommentCommandToChatops() {
    DeliveryOutcome outcome =
        intake.receive(signed("issue_comment", "d-1", bytes("issue_comment.created.json")));

    assertThat(outcome.result()).isEqualTo("command");
    assertThat(handedOff)
        .containsExactly(
            new PullRequestComment(
                "acme/shop-web",
                42,
                1523456789L,
                "monalisa",
                "Looks good, let's try it on staging.\r\n\r\n/branchyard extend 8h",
                "d-1"));
  }

  @Test
  void leavesCommentsWithoutACommandAndCommentsByBotsAlone() {
    ObjectNode plain = Webhooks.payload("issue_comment.created.json");
    ((ObjectNode) plain.get("comment")).put("body", "LGTM");
    ObjectNode byBot = Webhooks.payload("issue_comment.created.json");
    ((ObjectNode) byBot.at("/comment/user")).put("type", "Bot");
    ((ObjectNode) byBot.get("sender")).put("type", "Bot");

    assertThat(intake.receive(signed("issue_comment", "d-1", bytes(plain))).result())
        .isEqualTo("ignored");
    assertThat(intake.receive(signed("issue_comment", "d-2", bytes(byBot))).result())
        .isEqualTo("ignored");
    assertThat(handedOff).isEmpty();
  }

  @Test
  void notesAppInstallations() {
    DeliveryOutcome outcome =
        intake.receive(signed("installation", "d-1", bytes("installation.created.json")));

    assertThat(outcome.status()).isEqualTo(202);
    assertThat(outcome.result()).isEqualTo("noted");
    assertThat(
            metrics
                .counter(
                    WebhookIntake.DELIVERIES_METRIC, "event", "installation", "result", "noted")
                .count())
        .isEqualTo(1);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static Delivery signed(String event, String id, byte[] body) {
    return delivery(event, id, WebhookSignature.sign(SECRET, body), body);
  }

  private static Delivery delivery(String event, String id, String signature, byte[] body) {
    return new Delivery(
        Optional.of(event),
        Optional.of(id),
        Optional.ofNullable(signature),
        Optional.of("application/json"),
        body);
  }

  private static byte[] bytes(String file) {
    try {
      return Files.readAllBytes(Path.of("webhooks", file));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private byte[] bytes(ObjectNode payload) {
    try {
      return json.writeValueAsBytes(payload);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

package dev.branchyard.chatops;

import static dev.branchyard.chatops.ChatopsFakes.pullRequest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.chatops.ChatopsFakes.Approvals;
import dev.branchyard.chatops.ChatopsFakes.Environments;
import dev.branchyard.chatops.ChatopsFakes.Permissions;
import dev.branchyard.chatops.ChatopsFakes.PullRequests;
import dev.branchyard.chatops.SlackCommands.Acknowledged;
import dev.branchyard.chatops.SlackCommands.Job;
import dev.branchyard.chatops.SlackCommands.Rejected;
import dev.branchyard.github.RepoPermissions.Permission;
import dev.branchyard.testing.MutableClock;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Slack front end without HTTP: signature verdicts, user mapping, the answer and the job. */
class SlackCommandsTest {

  private static final String SECRET = "slack-signing-secret";
  private static final String RESPONSE_URL = "https://hooks.slack.com/commands/T1/2/abc";

  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T07:00:00Z"));
  private final Permissions permissions =
      new Permissions().with("octocat", Permission.WRITE).with("monalisa", Permission.READ);
  private final Environments environments = new Environments(clock);
  private final List<Job> queued = new ArrayList<>();
  private final List<String> posted = new ArrayList<>();
  private final SlackCommands slack = slack(Optional.of(SECRET));

  @Test
  void mappedUsersCommandIsAcknowledgedAtOnceAndItsResultPostedToTheResponseUrl() {
    SlackCommands.Answer answer = take(form("U2CERLKJA", "acme/shop-web#42 up"));

    assertThat(answer)
        .isEqualTo(
            new Acknowledged(
                "Running `up` on acme/shop-web#42 as GitHub user @octocat; the result follows"
                    + " here."));
    assertThat(environments.byName).isEmpty();
    assertThat(queued).singleElement().extracting(Job::login).isEqualTo("octocat");

    slack.run(queued.get(0));

    assertThat(environments.byName).containsOnlyKeys("shop-shop-web-pr42");
    assertThat(posted)
        .singleElement()
        .asString()
        .startsWith(RESPONSE_URL + " -> acme/shop-web#42: `up` on #42:");
  }

  @Test
  void mappedLoginWithoutWritePermissionIsRefusedLikeAPullRequestComment() {
    take(form("U0G9QF9C6", "acme/shop-web#42 destroy"));
    slack.run(queued.get(0));

    assertThat(posted)
        .singleElement()
        .asString()
        .contains("@monalisa cannot run `down`")
        .contains("@monalisa has read permission on acme/shop-web");
  }

  @Test
  void repositoryIsSpelledAsGitHubSpellsIt() {
    take(form("U2CERLKJA", "ACME/Shop-Web#42 up"));
    slack.run(queued.get(0));

    assertThat(environments.byName.get("shop-shop-web-pr42").getSpec().trigger().repo())
        .isEqualTo("acme/shop-web");
  }

  @Test
  void unknownPullRequestIsAnsweredAsSuch() {
    take(form("U2CERLKJA", "acme/shop-web#404 status"));
    slack.run(queued.get(0));

    assertThat(posted).singleElement().asString().contains("GitHub knows no pull request #404");
  }

  @Test
  void unmappedUserIsRefusedAtOnceWithHowToGetMapped() {
    SlackCommands.Answer answer = take(form("UNKNOWN1", "acme/shop-web#42 status"));

    assertThat(answer)
        .isInstanceOfSatisfying(
            Acknowledged.class,
            ack ->
                assertThat(ack.text())
                    .contains("does not know your GitHub login (Slack user UNKNOWN1, @roadrunner)")
                    .contains("branchyard.chatops.slack.users.UNKNOWN1=<your GitHub login>"));
    assertThat(queued).isEmpty();
  }

  @Test
  void helpNeedsNoMapping() {
    assertThat(take(form("UNKNOWN1", "help"))).isEqualTo(new Acknowledged(HelpText.slackText()));
    assertThat(queued).isEmpty();
  }

  @Test
  void badSignatureIsRejected() {
    byte[] body = form("U2CERLKJA", "acme/shop-web#42 down");
    String timestamp = Long.toString(clock.instant().getEpochSecond());

    assertThat(
            slack.take(
                Optional.of(timestamp),
                Optional.of(SlackSignature.sign("another-secret", timestamp, body)),
                body))
        .isEqualTo(
            new Rejected(
                "X-Slack-Signature does not match: the request was not signed with the configured"
                    + " signing secret"));
    assertThat(queued).isEmpty();
  }

  @Test
  void requestsOutsideTheReplayWindowAreRejectedEitherWay() {
    byte[] body = form("U2CERLKJA", "acme/shop-web#42 down");
    String old = Long.toString(clock.instant().minus(Duration.ofMinutes(6)).getEpochSecond());
    String future = Long.toString(clock.instant().plus(Duration.ofMinutes(6)).getEpochSecond());

    assertThat(
            slack.take(Optional.of(old), Optional.of(SlackSignature.sign(SECRET, old, body)), body))
        .isEqualTo(
            new Rejected(
                "X-Slack-Request-Timestamp is 360 s behind Branchyard's clock, outside the replay"
                    + " window: refused as a possible replay"));
    assertThat(
            slack.take(
                Optional.of(future), Optional.of(SlackSignature.sign(SECRET, future, body)), body))
        .isInstanceOfSatisfying(
            Rejected.class, r -> assertThat(r.reason()).contains("360 s ahead of"));
    assertThat(queued).isEmpty();
  }

  @Test
  void withoutASigningSecretEveryRequestIsRejected() {
    SlackCommands unconfigured = slack(Optional.empty());
    byte[] body = form("U2CERLKJA", "help");
    String timestamp = Long.toString(clock.instant().getEpochSecond());

    assertThat(
            unconfigured.take(
                Optional.of(timestamp),
                Optional.of(SlackSignature.sign(SECRET, timestamp, body)),
                body))
        .isInstanceOfSatisfying(
            Rejected.class,
            r ->
                assertThat(r.reason())
                    .contains("branchyard.chatops.slack.signing-secret is not set"));
  }

  private SlackCommands.Answer take(byte[] body) {
    String timestamp = Long.toString(clock.instant().getEpochSecond());
    return slack.take(
        Optional.of(timestamp), Optional.of(SlackSignature.sign(SECRET, timestamp, body)), body);
  }

  private SlackCommands slack(Optional<String> secret) {
    PullRequests pullRequests = new PullRequests().with(pullRequest(42, false));
    return new SlackCommands(
        config(secret),
        clock,
        new EnvironmentCommands(
            permissions,
            pullRequests,
            environments,
            new Approvals(environments),
            ChatopsFakes.catalog(clock),
            clock,
            "http://127.0.0.1:8080"),
        pullRequests,
        (url, text) -> posted.add(url + " -> " + text),
        queued::add);
  }

  /** A slash command's form body with Slack's documented fields. */
  static byte[] form(String userId, String text) {
    return ("token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0001&team_domain=example"
            + "&channel_id=C2147483705&channel_name=test&user_id="
            + userId
            + "&user_name=roadrunner&command=%2Fbranchyard&text="
            + URLEncoder.encode(text, StandardCharsets.UTF_8)
            + "&api_app_id=A123456&response_url="
            + URLEncoder.encode(RESPONSE_URL, StandardCharsets.UTF_8)
            + "&trigger_id=13345224609.738474920.8088930838d88f008e0")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static ChatopsConfig config(Optional<String> secret) {
    return () ->
        new ChatopsConfig.Slack() {
          @Override
          public Optional<String> signingSecret() {
            return secret;
          }

          @Override
          public Duration replayWindow() {
            return Duration.ofMinutes(5);
          }

          @Override
          public Map<String, String> users() {
            return Map.of("U2CERLKJA", "octocat", "U0G9QF9C6", "monalisa");
          }
        };
  }
}

package dev.branchyard.chatops;

import dev.branchyard.chatops.SlackCommandText.OnPullRequest;
import dev.branchyard.github.GitHubUnavailableException;
import dev.branchyard.github.PullRequestLookup;
import dev.branchyard.github.PullRequestLookup.PullRequestNotFoundException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The Slack slash command {@code /branchyard}: checks the request's signature and freshness,
 * answers at once (Slack waits 3 seconds at most) with an ephemeral acknowledgement, and carries
 * the command out afterwards, off the request thread, posting the result to the request's {@code
 * response_url}.
 *
 * <p>A Slack user acts as the GitHub login {@code branchyard.chatops.slack.users} maps them to;
 * that login's permission on the repository is checked exactly as for a PR comment. Unmapped users
 * get the help and nothing else.
 */
@ApplicationScoped
public class SlackCommands {

  private static final Logger LOG = Logger.getLogger(SlackCommands.class);

  private final Optional<SlackSignature> signature;
  private final Map<String, String> users;
  private final EnvironmentCommands commands;
  private final PullRequestLookup pullRequests;
  private final SlackResponder responder;
  private final Consumer<Job> later;

  public SlackCommands(
      ChatopsConfig config,
      Clock clock,
      EnvironmentCommands commands,
      PullRequestLookup pullRequests,
      SlackResponder responder,
      Consumer<Job> later) {
    ChatopsConfig.Slack slack = config.slack();
    this.signature =
        slack
            .signingSecret()
            .filter(secret -> !secret.isBlank())
            .map(secret -> new SlackSignature(secret, slack.replayWindow(), clock));
    this.users = Map.copyOf(slack.users());
    this.commands = commands;
    this.pullRequests = pullRequests;
    this.responder = responder;
    this.later = later;
  }

  /** Commands run as CDI async events, on Quarkus' worker pool. */
  @Inject
  public SlackCommands(
      ChatopsConfig config,
      Clock clock,
      EnvironmentCommands commands,
      PullRequestLookup pullRequests,
      SlackResponder responder,
      Event<Job> jobs) {
    this(config, clock, commands, pullRequests, responder, jobs::fireAsync);
  }

  /** The answer to a request, given at once. */
  public sealed interface Answer {}

  /**
   * The request is not trusted: not from Slack, or too old or too new to tell.
   *
   * @param reason why, without echoing what was sent
   */
  public record Rejected(String reason) implements Answer {}

  /**
   * The request was taken: {@code text} answers it now (ephemeral); the command, if any, runs
   * later.
   */
  public record Acknowledged(String text) implements Answer {}

  /**
   * A command to run after the acknowledgement.
   *
   * @param responseUrl where its result goes
   * @param slackUser who typed it, for the log ({@code user_id})
   * @param login the GitHub login it runs as
   * @param request the pull request and the command
   */
  public record Job(String responseUrl, String slackUser, String login, OnPullRequest request) {
    public Job {
      Objects.requireNonNull(responseUrl, "responseUrl");
      Objects.requireNonNull(slackUser, "slackUser");
      Objects.requireNonNull(login, "login");
      Objects.requireNonNull(request, "request");
    }
  }

  /**
   * Judges and answers a request.
   *
   * @param timestamp the {@code X-Slack-Request-Timestamp} header
   * @param signed the {@code X-Slack-Signature} header
   * @param body the raw body, exactly as received
   */
  public Answer take(Optional<String> timestamp, Optional<String> signed, byte[] body) {
    if (signature.isEmpty()) {
      return new Rejected(
          "Slack commands are off: branchyard.chatops.slack.signing-secret is not set");
    }
    SlackSignature.Result verdict = signature.get().verify(timestamp, signed, body);
    if (!verdict.isValid()) {
      return new Rejected(why(verdict));
    }
    Map<String, String> form = SlackForm.parse(body);
    if ("1".equals(form.get("ssl_check"))) {
      return new Acknowledged("");
    }
    String user = form.getOrDefault("user_id", "");
    SlackCommandText.Request request = SlackCommandText.parse(form.getOrDefault("text", ""));
    if (request instanceof SlackCommandText.Help) {
      return new Acknowledged(HelpText.slackText());
    }
    if (request instanceof SlackCommandText.Invalid invalid) {
      return new Acknowledged(invalid.message());
    }
    OnPullRequest onPullRequest = (OnPullRequest) request;
    String login = users.get(user);
    if (login == null || login.isBlank()) {
      return new Acknowledged(
          "Branchyard does not know your GitHub login (Slack user "
              + (user.isEmpty() ? "without an id" : user)
              + nameOf(form)
              + "), so it cannot check your permission on "
              + onPullRequest.repo()
              + " and runs nothing for you. Ask a Branchyard admin to map you:"
              + " branchyard.chatops.slack.users."
              + (user.isEmpty() ? "<your Slack user id>" : user)
              + "=<your GitHub login>.");
    }
    String responseUrl = form.getOrDefault("response_url", "");
    if (responseUrl.isBlank()) {
      return new Acknowledged(
          "This request has no response_url, so Branchyard could not answer it later; nothing was"
              + " run.");
    }
    later.accept(new Job(responseUrl, user, login, onPullRequest));
    return new Acknowledged(
        "Running `"
            + EnvironmentCommands.words(onPullRequest.command())
            + "` on "
            + onPullRequest.repo()
            + "#"
            + onPullRequest.number()
            + " as GitHub user @"
            + login
            + "; the result follows here.");
  }

  /** Runs a taken command and posts its result to Slack. */
  void on(@ObservesAsync Job job) {
    try {
      run(job);
    } catch (RuntimeException e) {
      // Nobody awaits the async event's outcome: this log is the only trace of the failure.
      LOG.errorf(e, "Slack command of %s could not be answered", job.slackUser());
    }
  }

  /** Carries a command out and posts the result to its {@code response_url}. */
  public void run(Job job) {
    OnPullRequest request = job.request();
    CommandReply reply = replyTo(request, job.login());
    LOG.infof(
        "%s#%d: Slack command by %s (GitHub @%s): %s",
        request.repo(), request.number(), job.slackUser(), job.login(), reply.result());
    responder.respond(
        job.responseUrl(), request.repo() + "#" + request.number() + ": " + reply.text());
  }

  private CommandReply replyTo(OnPullRequest request, String login) {
    // GitHub spells the repository its own way (case); environments are recorded under that.
    String repo;
    try {
      repo = pullRequests.pullRequest(request.repo(), request.number()).repo();
    } catch (PullRequestNotFoundException e) {
      return CommandReply.refused(
          "GitHub knows no pull request #"
              + request.number()
              + " in "
              + request.repo()
              + " (or Branchyard cannot see it).");
    } catch (GitHubUnavailableException e) {
      return CommandReply.failed(
          "`"
              + EnvironmentCommands.words(request.command())
              + "` was not carried out: GitHub did not answer ("
              + e.getMessage()
              + "). Try again.");
    }
    return commands.run(repo, request.number(), login, request.command());
  }

  private static String why(SlackSignature.Result verdict) {
    if (verdict instanceof SlackSignature.Result.Missing missing) {
      return "no " + missing.header() + " header: not a request from Slack";
    }
    if (verdict instanceof SlackSignature.Result.Malformed malformed) {
      return malformed.problem();
    }
    if (verdict instanceof SlackSignature.Result.Stale stale) {
      Duration off = stale.offBy();
      return SlackSignature.TIMESTAMP_HEADER
          + " is "
          + off.abs().toSeconds()
          + " s "
          + (off.isNegative() ? "ahead of" : "behind")
          + " Branchyard's clock, outside the replay window: refused as a possible replay";
    }
    return SlackSignature.SIGNATURE_HEADER
        + " does not match: the request was not signed with the configured signing secret";
  }

  private static String nameOf(Map<String, String> form) {
    String name = form.getOrDefault("user_name", "");
    return name.isBlank() ? "" : ", @" + name;
  }
}

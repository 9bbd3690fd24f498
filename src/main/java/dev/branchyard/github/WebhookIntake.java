package dev.branchyard.github;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.branchyard.github.EnvironmentIntent.Destroy;
import dev.branchyard.github.EnvironmentIntent.Ignore;
import dev.branchyard.github.EnvironmentIntent.Upsert;
import dev.branchyard.github.IssueComments.Command;
import dev.branchyard.github.PushEvents.BranchPush;
import dev.branchyard.github.PushEvents.NotFollowed;
import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentNames;
import dev.branchyard.lifecycle.EnvironmentRequests;
import dev.branchyard.lifecycle.EnvironmentRequests.Selector;
import dev.branchyard.lifecycle.EnvironmentRequests.Upserted;
import dev.branchyard.lifecycle.Trigger;
import dev.branchyard.lifecycle.TriggerSource;
import dev.branchyard.spec.LoadedSpec;
import dev.branchyard.spec.SpecCatalog;
import dev.branchyard.spec.StackSpec;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Takes in GitHub webhook deliveries: verifies the signature, drops repeats, and records what each
 * event means as changes of Environments through {@link EnvironmentRequests} (or hands a chat
 * command to chatops). Nothing slow happens here: the controller does the work, so GitHub gets its
 * answer within milliseconds.
 *
 * <p>Answers: 401 for a missing or wrong signature (and nothing else happens), 413 for a body over
 * {@code branchyard.github.max-body-size}, 400 without the event or delivery headers or with a body
 * that is not JSON, 200 for {@code ping} and for a repeated delivery, 202 for everything taken in
 * (changed or ignored), 503 when the change could not be recorded (the Kubernetes API is
 * unreachable; the delivery is not remembered, so GitHub's redelivery is taken in) or when no
 * webhook secret is configured.
 */
@ApplicationScoped
public class WebhookIntake {

  private static final Logger LOG = Logger.getLogger(WebhookIntake.class);

  /** The counter of deliveries, by event and result; Prometheus: {@code ..._total}. */
  public static final String DELIVERIES_METRIC = "branchyard.webhook.deliveries";

  /** Events named as themselves in the metric; others count as {@code other}. */
  private static final Set<String> KNOWN_EVENTS =
      Set.of(
          "ping",
          "pull_request",
          "push",
          "issue_comment",
          "installation",
          "installation_repositories");

  private final Optional<WebhookSignature> signature;
  private final long maxBodySize;
  private final DeliveryLedger ledger;
  private final SpecCatalog catalog;
  private final EnvironmentRequests requests;
  private final IntakeRecorder recorder;
  private final Duration ackWait;
  private final CommentHandoff comments;
  private final MeterRegistry metrics;
  private final ObjectMapper json;
  private final Clock clock;
  private final RecentDestroys destroys = new RecentDestroys(10_000);

  /** What a delivery's detail says of a change written down but not recorded within ack-wait. */
  static final String ACCEPTED = "accepted";

  /** How long a destroy waits for the same pull request's accepted upserts to be recorded. */
  private static final Duration DESTROY_WAIT = Duration.ofSeconds(10);

  @Inject
  public WebhookIntake(
      GitHubConfig config,
      DeliveryLedger ledger,
      SpecCatalog catalog,
      EnvironmentRequests requests,
      IntakeRecorder recorder,
      CommentHandoff comments,
      MeterRegistry metrics,
      ObjectMapper json,
      Clock clock) {
    // A secret set but blank fails here, so the application does not start with it.
    this.signature =
        config
            .webhookSecret()
            .map(secret -> new WebhookSignature(secret, config.webhookPreviousSecret()));
    this.maxBodySize = config.maxBodySize().asLongValue();
    this.ledger = ledger;
    this.catalog = catalog;
    this.requests = requests;
    this.recorder = recorder;
    this.ackWait = config.intake().ackWait();
    this.comments = comments;
    this.metrics = metrics;
    this.json = json;
    this.clock = clock;
  }

  void onStart(@Observes StartupEvent started) {
    if (signature.isEmpty()) {
      LOG.warn(
          "branchyard.github.webhook-secret (env BRANCHYARD_GITHUB_WEBHOOK_SECRET) is not set:"
              + " every GitHub webhook delivery is refused with 503 until it is");
    }
  }

  /**
   * A delivery as it came over HTTP.
   *
   * @param event the {@code X-GitHub-Event} header
   * @param deliveryId the {@code X-GitHub-Delivery} header
   * @param signature the {@code X-Hub-Signature-256} header
   * @param contentType the {@code Content-Type} header ({@code application/json}, or {@code
   *     application/x-www-form-urlencoded} when the webhook was set up that way)
   * @param body the raw body, exactly as received
   */
  public record Delivery(
      Optional<String> event,
      Optional<String> deliveryId,
      Optional<String> signature,
      Optional<String> contentType,
      byte[] body) {
    public Delivery {
      Objects.requireNonNull(body, "body");
    }
  }

  /** Takes in one delivery and says how to answer it. */
  public DeliveryOutcome receive(Delivery delivery) {
    String event = delivery.event().map(String::strip).orElse("");
    DeliveryOutcome outcome = judge(delivery, event);
    metrics
        .counter(DELIVERIES_METRIC, "event", metricEvent(event), "result", outcome.result())
        .increment();
    return outcome;
  }

  /** The {@code event} tag for a delivery: its event if Branchyard knows it, else {@code other}. */
  static String metricEvent(String event) {
    return KNOWN_EVENTS.contains(event) ? event : "other";
  }

  private DeliveryOutcome judge(Delivery delivery, String event) {
    String id = delivery.deliveryId().map(String::strip).orElse("");
    if (signature.isEmpty()) {
      LOG.warnf(
          "delivery %s refused: no webhook secret is configured (branchyard.github.webhook-secret)",
          id);
      return DeliveryOutcome.of(
          503, "unconfigured", "Branchyard has no webhook secret configured; nothing was done");
    }
    if (delivery.body().length > maxBodySize) {
      return DeliveryOutcome.of(
          413, "too-large", "the body is over " + maxBodySize + " bytes; nothing was done");
    }
    WebhookSignature.Result verdict = signature.get().verify(delivery.signature(), delivery.body());
    if (!verdict.isValid()) {
      String why;
      if (verdict instanceof WebhookSignature.Result.Missing) {
        why = "no " + WebhookSignature.HEADER + " header";
      } else if (verdict instanceof WebhookSignature.Result.Malformed malformed) {
        why = malformed.problem();
      } else {
        why = "the signature matches no configured webhook secret";
      }
      LOG.warnf("delivery %s (%s) refused: %s", id, event, why);
      return DeliveryOutcome.of(401, "unauthorized", why + "; nothing was done");
    }
    if (verdict instanceof WebhookSignature.Result.Valid valid
        && valid.secret() == WebhookSignature.Secret.PREVIOUS) {
      LOG.debugf("delivery %s is signed with the previous webhook secret", id);
    }
    if (event.isEmpty() || id.isEmpty()) {
      return DeliveryOutcome.of(
          400,
          "bad-request",
          "a delivery needs the "
              + PullRequestEvents.EVENT_HEADER
              + " and "
              + DeliveryLedger.HEADER
              + " headers");
    }
    JsonNode body;
    try {
      body = parse(delivery);
    } catch (IOException | IllegalArgumentException e) {
      return DeliveryOutcome.of(
          400, "bad-request", "the body is not a JSON webhook payload: " + e.getMessage());
    }
    if (!ledger.firstSeen(id)) {
      LOG.debugf("delivery %s (%s) already taken in; ignored", id, event);
      return DeliveryOutcome.of(200, "duplicate", "delivery " + id + " was already taken in");
    }
    try {
      DeliveryOutcome outcome = take(event, id, body);
      LOG.debugf("delivery %s (%s): %s %s", id, event, outcome.message(), outcome.details());
      return outcome;
    } catch (RuntimeException e) {
      // Not remembered, so GitHub's redelivery is taken in; every change is safe to repeat.
      ledger.forget(id);
      LOG.warnf(
          "delivery %s (%s) could not be recorded, answered 503 for GitHub to redeliver: %s",
          id, event, e.getMessage());
      return DeliveryOutcome.of(
          503,
          "unavailable",
          "could not record the change now; redeliver later: " + e.getMessage());
    }
  }

  private JsonNode parse(Delivery delivery) throws IOException {
    String type = delivery.contentType().orElse("").toLowerCase(Locale.ROOT);
    JsonNode node;
    if (type.startsWith("application/x-www-form-urlencoded")) {
      String payload = null;
      for (String pair : new String(delivery.body(), StandardCharsets.UTF_8).split("&")) {
        if (pair.startsWith("payload=")) {
          payload = URLDecoder.decode(pair.substring("payload=".length()), StandardCharsets.UTF_8);
        }
      }
      if (payload == null) {
        throw new IllegalArgumentException("a form-encoded delivery needs a payload field");
      }
      node = json.readTree(payload);
    } else {
      // Parsed from the bytes: no copy of the body as a String (GitHub's can be megabytes).
      node = json.readTree(delivery.body());
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("expected a JSON object");
    }
    return node;
  }

  private DeliveryOutcome take(String event, String id, JsonNode body) {
    return switch (event) {
      case "ping" ->
          DeliveryOutcome.of(
              200,
              "ping",
              "pong: webhook " + body.path("hook_id").asText("?") + " reaches Branchyard");
      case "pull_request" -> pullRequest(body);
      case "push" -> push(body);
      case "issue_comment" -> issueComment(body, id);
      case "installation", "installation_repositories" -> installation(event, body);
      default -> {
        LOG.debugf("delivery %s: event '%s' is not one Branchyard acts on; ignored", id, event);
        yield DeliveryOutcome.of(
            202, "ignored", "event '" + event + "' does not start or stop environments");
      }
    };
  }

  // ---- pull_request ---------------------------------------------------------------------------

  private DeliveryOutcome pullRequest(JsonNode body) {
    List<EnvironmentIntent> intents = PullRequestEvents.intents("pull_request", body, specs());
    // GitHub's updated_at moves with every change of the PR: later events never lose to earlier.
    Instant requestedAt = instant(body.at("/pull_request/updated_at"));
    String sender = body.at("/sender/login").asText("github");
    List<String> details = new ArrayList<>();
    boolean changed = false;
    for (EnvironmentIntent intent : intents) {
      if (intent instanceof Ignore ignore) {
        details.add(ignore.reason());
      } else if (intent instanceof Upsert upsert) {
        changed |= upsert(upsert, requestedAt, details);
      } else if (intent instanceof Destroy destroy) {
        destroys.record(destroy.repo(), destroy.prNumber(), destroy.specName(), requestedAt);
        // Upserts accepted before this destroy are recorded first, or they would bring it back.
        if (!recorder.awaitRecorded(destroy.repo(), destroy.prNumber(), DESTROY_WAIT)) {
          throw new IllegalStateException(
              "changes of "
                  + destroy.repo()
                  + "#"
                  + destroy.prNumber()
                  + " accepted earlier are not recorded yet; the destroy must come after them");
        }
        List<String> names =
            requests.destroy(
                new Selector(
                    destroy.specName(),
                    Optional.of(destroy.repo()),
                    Optional.of(destroy.prNumber())),
                destroy.reason(),
                "github:" + sender);
        changed |= !names.isEmpty();
        details.add(
            names.isEmpty()
                ? "nothing to destroy (" + destroy.reason() + ")"
                : String.join(", ", names) + ": destroy requested (" + destroy.reason() + ")");
      }
    }
    String action = body.path("action").asText("?");
    boolean accepted = details.stream().anyMatch(d -> d.endsWith(": " + ACCEPTED));
    String result = accepted ? ACCEPTED : changed ? "recorded" : "ignored";
    return new DeliveryOutcome(
        202,
        result,
        "pull_request."
            + action
            + (accepted
                ? ": accepted, being recorded"
                : changed ? ": recorded" : ": no environment changed"),
        details);
  }

  /** Records an upsert; true when an environment was created or moved. */
  private boolean upsert(Upsert upsert, Instant requestedAt, List<String> details) {
    String name =
        EnvironmentNames.forPullRequest(upsert.specName(), upsert.repo(), upsert.prNumber());
    if (destroys.supersedes(upsert.repo(), upsert.prNumber(), upsert.specName(), requestedAt)) {
      details.add(name + ": stale (destroyed by a newer event)");
      return false;
    }
    if (upsert.needsApproval() && !approved(name)) {
      details.add(
          name
              + ": pull request from a fork; waits for '/branchyard ok-to-test' from someone with"
              + " write permission");
      return false;
    }
    Trigger trigger =
        new Trigger(
            TriggerSource.PullRequest,
            upsert.repo(),
            upsert.prNumber(),
            upsert.branch(),
            upsert.baseBranch(),
            upsert.headSha(),
            upsert.author(),
            upsert.fork());
    // Behind other changes it would not be recorded within ack-wait anyway: answer at once.
    boolean queued = recorder.backlog() > 0;
    CompletableFuture<Upserted> recorded =
        recorder.accept(
            new EnvironmentRequests.Upsert(
                upsert.specName(), trigger, Optional.empty(), requestedAt));
    Upserted done;
    try {
      if (queued && !recorded.isDone()) {
        // Not a get(0): its TimeoutException, stack trace and all, cost about 1% of the intake's
        // CPU under load, where nearly every answer is this one.
        details.add(name + ": " + ACCEPTED);
        return true;
      }
      done = recorded.get(ackWait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      // Written down: recorded in the background, and again after a crash.
      details.add(name + ": " + ACCEPTED);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      details.add(name + ": " + ACCEPTED);
      return true;
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException runtime
          ? runtime
          : new IllegalStateException(e.getCause());
    }
    details.add(done.name() + ": " + done.outcome().name().toLowerCase(Locale.ROOT));
    return done.outcome() == Upserted.Outcome.CREATED || done.outcome() == Upserted.Outcome.UPDATED;
  }

  /**
   * Whether a fork PR's environment was approved: it exists, is not being torn down, and carries
   * {@value EnvironmentRequests#FORK_APPROVED_BY_ANNOTATION}. The intake never creates one for a
   * fork (docs/github.md).
   */
  private boolean approved(String name) {
    return requests
        .get(name)
        .filter(environment -> environment.getMetadata().getDeletionTimestamp() == null)
        .map(environment -> environment.getMetadata().getAnnotations())
        .map(annotations -> annotations.get(EnvironmentRequests.FORK_APPROVED_BY_ANNOTATION))
        .filter(login -> !login.isBlank())
        .isPresent();
  }

  // ---- push -----------------------------------------------------------------------------------

  private DeliveryOutcome push(JsonNode body) {
    PushEvents.Push push = PushEvents.read(body, specs(), clock.instant());
    if (push instanceof NotFollowed notFollowed) {
      return DeliveryOutcome.of(202, "ignored", notFollowed.reason());
    }
    BranchPush branchPush = (BranchPush) push;
    List<String> details = new ArrayList<>();
    boolean changed = false;
    List<Environment> following =
        requests
            .find(new Selector(Optional.empty(), Optional.of(branchPush.repo()), Optional.empty()))
            .stream()
            .filter(e -> e.getSpec() != null && e.getSpec().trigger() != null)
            .filter(e -> e.getSpec().trigger().pullRequest() == null)
            .filter(e -> branchPush.branch().equals(e.getSpec().trigger().branch()))
            .filter(e -> branchPush.stacks().contains(e.getSpec().specName()))
            .toList();
    for (Environment environment : following) {
      Trigger was = environment.getSpec().trigger();
      Trigger moved =
          new Trigger(
              TriggerSource.Push,
              was.repo(),
              null,
              was.branch(),
              was.baseBranch(),
              branchPush.headSha(),
              branchPush.pusher(),
              was.fork());
      Upserted done =
          requests.upsert(
              new EnvironmentRequests.Upsert(
                  environment.getSpec().specName(),
                  moved,
                  Optional.empty(),
                  branchPush.pushedAt()));
      details.add(done.name() + ": " + done.outcome().name().toLowerCase(Locale.ROOT));
      changed |= done.outcome() == Upserted.Outcome.UPDATED;
    }
    if (following.isEmpty()) {
      details.add(
          "no environment follows branch " + branchPush.branch() + " of " + branchPush.repo());
    }
    return new DeliveryOutcome(
        202,
        changed ? "recorded" : "ignored",
        "push to " + branchPush.branch() + (changed ? ": recorded" : ": no environment changed"),
        details);
  }

  // ---- issue_comment and installation ---------------------------------------------------------

  private DeliveryOutcome issueComment(JsonNode body, String id) {
    IssueComments.Comment comment = IssueComments.read(body, id);
    if (comment instanceof Command command) {
      comments.handOff(command.comment());
      return DeliveryOutcome.of(
          202,
          "command",
          "command from "
              + command.comment().author()
              + " on "
              + command.comment().repo()
              + "#"
              + command.comment().number()
              + " handed to chat commands");
    }
    return DeliveryOutcome.of(202, "ignored", ((IssueComments.NotACommand) comment).reason());
  }

  private DeliveryOutcome installation(String event, JsonNode body) {
    String action = body.path("action").asText("?");
    String account = body.at("/installation/account/login").asText("?");
    String installation = body.at("/installation/id").asText("?");
    List<String> repos = new ArrayList<>();
    for (String field : List.of("repositories", "repositories_added", "repositories_removed")) {
      body.path(field).forEach(r -> repos.add(field + ":" + r.path("full_name").asText("?")));
    }
    LOG.infof(
        "GitHub App installation %s on %s: %s %s%s",
        installation, account, event, action, repos.isEmpty() ? "" : " " + repos);
    return new DeliveryOutcome(
        202, "noted", event + " " + action + " on " + account + " noted", repos);
  }

  // ---- helpers --------------------------------------------------------------------------------

  private List<StackSpec> specs() {
    return catalog.all().stream().map(LoadedSpec::spec).toList();
  }

  private Instant instant(JsonNode node) {
    if (node.isTextual()) {
      try {
        return Instant.parse(node.asText());
      } catch (DateTimeParseException e) {
        LOG.debugf("updated_at '%s' is not an instant; using the time of receipt", node.asText());
      }
    }
    return clock.instant();
  }
}

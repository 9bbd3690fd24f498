package dev.branchyard.github;

import dev.branchyard.github.EnvironmentSnapshot.Stage;
import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentStatus;
import dev.branchyard.lifecycle.Leadership;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Watches Environments (an informer of its own, beside the controller's) and hands the feedback for
 * each change to the {@link FeedbackDispatcher}, on the leader only. The informer's handler only
 * plans and submits; GitHub is called on the dispatcher's workers, never on the informer's or the
 * reconciler's threads. A deleted Environment is seen by the informer too, so the teardown is
 * reported after the resource is gone. The periodic resync lets a newly elected leader catch up.
 *
 * <p>Starts only when GitHub is configured and {@code branchyard.github.feedback.enabled}; else it
 * logs once that feedback is off.
 */
@ApplicationScoped
public class EnvironmentFeedbackWatcher {

  private static final Logger LOG = Logger.getLogger(EnvironmentFeedbackWatcher.class);

  private final KubernetesClient client;
  private final GitHubConnections connections;
  private final Settings settings;
  private final Leadership leadership;
  private final Clock clock;
  private final PullRequestFeedback planner;
  private FeedbackDispatcher dispatcher;
  private SharedIndexInformer<Environment> informer;

  /** How feedback is sent: see {@link GitHubApiConfig.Feedback}. */
  record Settings(boolean enabled, int workers, Backoff backoff, Duration resync) {}

  @Inject
  public EnvironmentFeedbackWatcher(
      KubernetesClient client,
      GitHubConnections connections,
      GitHubApiConfig config,
      Leadership leadership,
      Clock clock,
      @ConfigProperty(name = "branchyard.web.public-url", defaultValue = "http://127.0.0.1:8080")
          String publicUrl) {
    this(
        client,
        connections,
        new Settings(
            config.feedback().enabled(),
            config.feedback().workers(),
            new Backoff(config.feedback().initialBackoff(), config.feedback().maxBackoff()),
            config.feedback().resync()),
        leadership,
        clock,
        publicUrl);
  }

  EnvironmentFeedbackWatcher(
      KubernetesClient client,
      GitHubConnections connections,
      Settings settings,
      Leadership leadership,
      Clock clock,
      String publicUrl) {
    this.client = client;
    this.connections = connections;
    this.settings = settings;
    this.leadership = leadership;
    this.clock = clock;
    this.planner = new PullRequestFeedback(publicUrl);
  }

  void onStart(@Observes StartupEvent event) {
    if (!settings.enabled()) {
      LOG.info("feedback to GitHub is off (branchyard.github.feedback.enabled=false)");
      return;
    }
    if (!connections.configured()) {
      LOG.info(
          "feedback to GitHub is off: GitHub is not configured (set branchyard.github.token or"
              + " the app id/key)");
      return;
    }
    start();
  }

  synchronized void start() {
    if (informer != null) {
      return;
    }
    dispatcher =
        new FeedbackDispatcher(
            new GitHubRestFeedback(connections),
            new KubernetesFeedbackLedger(client),
            clock,
            settings.backoff(),
            settings.workers(),
            leadership::isLeader);
    informer =
        client
            .resources(Environment.class)
            .inNamespace(client.getNamespace())
            .runnableInformer(settings.resync().toMillis());
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Environment environment) {
            observe(environment, false);
          }

          @Override
          public void onUpdate(Environment before, Environment after) {
            observe(after, false);
          }

          @Override
          public void onDelete(Environment environment, boolean finalStateUnknown) {
            observe(environment, true);
          }
        });
    // Not awaited: an unreachable API server must not hold the application's start.
    informer
        .start()
        .whenComplete(
            (ok, failure) -> {
              if (failure != null) {
                LOG.warnf(
                    "the Environment informer for GitHub feedback did not start: %s",
                    failure.getMessage());
              } else {
                LOG.infof("feedback to GitHub on, with %s", connections.describe());
              }
            });
  }

  void onStop(@Observes ShutdownEvent event) {
    stop();
  }

  synchronized void stop() {
    if (informer != null) {
      informer.stop();
      informer = null;
    }
    if (dispatcher != null) {
      dispatcher.close();
      dispatcher = null;
    }
  }

  /** How many environments have feedback waiting or being sent (0 when feedback is off). */
  int backlog() {
    FeedbackDispatcher current = dispatcher;
    return current == null ? 0 : current.backlog();
  }

  private void observe(Environment environment, boolean deleted) {
    if (!leadership.isLeader() || environment.getSpec() == null) {
      return;
    }
    FeedbackDispatcher current = dispatcher;
    if (current == null) {
      return;
    }
    try {
      planner.plan(snapshot(environment, deleted)).ifPresent(current::submit);
    } catch (RuntimeException e) {
      LOG.warnf(e, "no GitHub feedback for environment %s", environment.getMetadata().getName());
    }
  }

  /** The Environment as feedback sees it. */
  static EnvironmentSnapshot snapshot(Environment environment, boolean deleted) {
    var meta = environment.getMetadata();
    Optional<EnvironmentStatus> status = Optional.ofNullable(environment.getStatus());
    long statusGeneration =
        status
            .map(
                s -> {
                  long observed = Objects.requireNonNullElse(s.observedGeneration(), -1L);
                  List<Condition> conditions =
                      Objects.requireNonNullElse(s.conditions(), List.of());
                  for (Condition condition : conditions) {
                    if (condition.getObservedGeneration() != null) {
                      observed = Math.max(observed, condition.getObservedGeneration());
                    }
                  }
                  return observed;
                })
            .orElse(-1L);
    Map<String, String> annotations = Objects.requireNonNullElse(meta.getAnnotations(), Map.of());
    Stage stage =
        deleted
            ? Stage.DELETED
            : meta.getDeletionTimestamp() != null ? Stage.DELETING : Stage.ACTIVE;
    return new EnvironmentSnapshot(
        meta.getName(),
        Objects.requireNonNullElse(meta.getGeneration(), 0L),
        statusGeneration,
        environment.getSpec(),
        status,
        stage,
        Optional.ofNullable(annotations.get(FeedbackLedger.ANNOTATION)));
  }
}

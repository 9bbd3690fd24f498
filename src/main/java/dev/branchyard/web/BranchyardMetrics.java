package dev.branchyard.web;

import dev.branchyard.build.BuildStatuses;
import dev.branchyard.build.ImageBuild;
import dev.branchyard.build.ImageBuildPhase;
import dev.branchyard.build.OciRegistryClient;
import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentPhase;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Branchyard's own metrics, from informers on its resources (so a scrape never calls the Kubernetes
 * API):
 *
 * <ul>
 *   <li>{@code branchyard_environments{phase}}: environments per phase, now;
 *   <li>{@code branchyard_environment_phase_seconds{phase}}: time spent in each phase before moving
 *       on (histogram), and {@code branchyard_environment_time_to_ready_seconds}: from creation to
 *       the first Ready (histogram);
 *   <li>{@code branchyard_builds{phase}}: image builds per phase, now, and {@code
 *       branchyard_builds_finished_total{result}}: builds that reached a final phase (Succeeded,
 *       Skipped, Failed, Cancelled) while this replica watched;
 *   <li>{@code branchyard_registry_cache_total{result="hit"|"miss"}}: registry checks answered from
 *       the cache of positive answers, or not.
 * </ul>
 */
@ApplicationScoped
public class BranchyardMetrics {

  private static final Logger LOG = Logger.getLogger(BranchyardMetrics.class);

  private final MeterRegistry registry;
  private final KubernetesClient client;
  private final MetricsConfig config;
  private final Instance<OciRegistryClient> registryClient;
  private final Clock clock;
  private final PhaseTimes phaseTimes = new PhaseTimes();

  private SharedIndexInformer<Environment> environments;
  private SharedIndexInformer<ImageBuild> builds;

  public BranchyardMetrics(
      MeterRegistry registry,
      KubernetesClient client,
      MetricsConfig config,
      Instance<OciRegistryClient> registryClient,
      Clock clock) {
    this.registry = registry;
    this.client = client;
    this.config = config;
    this.registryClient = registryClient;
    this.clock = clock;
  }

  void start(@Observes StartupEvent start) {
    if (registryClient.isResolvable()) {
      OciRegistryClient oci = registryClient.get();
      FunctionCounter.builder("branchyard_registry_cache", oci, OciRegistryClient::cacheHits)
          .description("Registry checks answered from the cache of positive answers, or not")
          .tag("result", "hit")
          .register(registry);
      FunctionCounter.builder("branchyard_registry_cache", oci, OciRegistryClient::cacheMisses)
          .description("Registry checks answered from the cache of positive answers, or not")
          .tag("result", "miss")
          .register(registry);
    }
    if (!config.watch()) {
      return;
    }
    String namespace = client.getNamespace();
    // Started without waiting: an API server that is down at start-up delays the metrics, not
    // the application, and the informers keep retrying until it answers.
    environments = client.resources(Environment.class).inNamespace(namespace).runnableInformer(0);
    environments.addEventHandler(new EnvironmentEvents());
    environments.exceptionHandler((started, failure) -> true);
    environments.start();
    builds = client.resources(ImageBuild.class).inNamespace(namespace).runnableInformer(0);
    builds.addEventHandler(new BuildEvents());
    builds.exceptionHandler((started, failure) -> true);
    builds.start();
    for (EnvironmentPhase phase : EnvironmentPhase.values()) {
      Gauge.builder("branchyard_environments", () -> countEnvironments(phase))
          .description("Environments per phase")
          .tag("phase", phase.name())
          .register(registry);
    }
    for (ImageBuildPhase phase : ImageBuildPhase.values()) {
      Gauge.builder("branchyard_builds", () -> countBuilds(phase))
          .description("Image builds per phase")
          .tag("phase", phase.name())
          .register(registry);
    }
  }

  void stop(@Observes ShutdownEvent stop) {
    if (environments != null) {
      environments.close();
    }
    if (builds != null) {
      builds.close();
    }
  }

  private long countEnvironments(EnvironmentPhase phase) {
    return environments.getStore().list().stream().filter(e -> phaseOf(e) == phase).count();
  }

  private long countBuilds(ImageBuildPhase phase) {
    return builds.getStore().list().stream().filter(b -> buildPhaseOf(b) == phase).count();
  }

  private static EnvironmentPhase phaseOf(Environment environment) {
    return EnvironmentViews.of(environment).phase();
  }

  private static ImageBuildPhase buildPhaseOf(ImageBuild build) {
    return build.getStatus() == null || build.getStatus().phase() == null
        ? ImageBuildPhase.Pending
        : build.getStatus().phase();
  }

  private void observe(Environment environment, boolean fromStart) {
    Optional<PhaseTimes.Ended> ended =
        phaseTimes.observe(
            environment.getMetadata().getUid(),
            phaseOf(environment),
            instant(environment.getMetadata().getCreationTimestamp()),
            clock.instant(),
            fromStart);
    ended.ifPresent(
        e -> {
          Timer.builder("branchyard_environment_phase")
              .description("Time environments spent in a phase before moving on")
              .tag("phase", e.phase().name())
              .publishPercentileHistogram()
              .register(registry)
              .record(e.inPhase());
          e.timeToReady()
              .ifPresent(
                  d ->
                      Timer.builder("branchyard_environment_time_to_ready")
                          .description("Time from an environment's creation to its first Ready")
                          .publishPercentileHistogram()
                          .maximumExpectedValue(Duration.ofHours(1))
                          .register(registry)
                          .record(d));
        });
  }

  private static Instant instant(String text) {
    try {
      return text == null ? null : Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private final class EnvironmentEvents implements ResourceEventHandler<Environment> {
    @Override
    public void onAdd(Environment environment) {
      // Before the first sync, adds are what already existed: only count from their next change.
      observe(environment, environments != null && environments.hasSynced());
    }

    @Override
    public void onUpdate(Environment before, Environment after) {
      observe(after, false);
    }

    @Override
    public void onDelete(Environment environment, boolean unknownFinalState) {
      phaseTimes.forget(environment.getMetadata().getUid());
    }
  }

  private final class BuildEvents implements ResourceEventHandler<ImageBuild> {
    @Override
    public void onAdd(ImageBuild build) {
      if (builds != null && builds.hasSynced() && BuildStatuses.isFinal(build.getStatus())) {
        finished(build);
      }
    }

    @Override
    public void onUpdate(ImageBuild before, ImageBuild after) {
      if (!BuildStatuses.isFinal(before.getStatus()) && BuildStatuses.isFinal(after.getStatus())) {
        finished(after);
      }
    }

    @Override
    public void onDelete(ImageBuild build, boolean unknownFinalState) {}

    private void finished(ImageBuild build) {
      LOG.debugf("build %s finished: %s", build.getMetadata().getName(), buildPhaseOf(build));
      Counter.builder("branchyard_builds_finished")
          .description("Image builds that reached a final phase, by result")
          .tag("result", buildPhaseOf(build).name())
          .register(registry)
          .increment();
    }
  }
}

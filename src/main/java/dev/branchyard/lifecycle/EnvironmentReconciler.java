package dev.branchyard.lifecycle;

import dev.branchyard.lifecycle.EnvironmentNamespaces.Teardown;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The {@code Environment} controller. java-operator-sdk watches environments (and retries, queues
 * and elects the leader); {@link EnvironmentPipeline} does one idempotent pass per event and writes
 * the status itself. Deletion is convergent: the finalizer is removed only once the environment's
 * namespace is really gone, and a namespace stuck terminating is reported with what holds it.
 *
 * <p>Admission ({@link EnvironmentAdmission}) reads the other environments from the controller's
 * own cache, so a queued environment looking at the queue costs no API call.
 *
 * <p>Not generation-aware: a status-only change by someone else (an extended TTL, a requested
 * rebuild) must also wake it. The periodic resync catches drift (a deleted Deployment).
 */
@ControllerConfiguration(
    name = EnvironmentReconciler.NAME,
    generationAwareEventProcessing = false,
    maxReconciliationInterval =
        @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
public class EnvironmentReconciler implements Reconciler<Environment>, Cleaner<Environment> {

  public static final String NAME = "environment";

  private static final Logger LOG = Logger.getLogger(EnvironmentReconciler.class);

  private final EnvironmentPipeline pipeline;
  private final EnvironmentNamespaces namespaces;
  private final EnvironmentStatusWriter writer;
  private final LifecycleConfig config;
  private final Clock clock;

  public EnvironmentReconciler(
      EnvironmentPipeline pipeline,
      EnvironmentNamespaces namespaces,
      EnvironmentStatusWriter writer,
      LifecycleConfig config,
      Clock clock) {
    this.pipeline = pipeline;
    this.namespaces = namespaces;
    this.writer = writer;
    this.config = config;
    this.clock = clock;
  }

  @Override
  public UpdateControl<Environment> reconcile(
      Environment environment, Context<Environment> context) {
    EnvironmentPipeline.Outcome outcome =
        pipeline.run(
            environment,
            () -> supersededInCache(environment, context),
            () -> context.getPrimaryCache().list().toList());
    UpdateControl<Environment> control = UpdateControl.noUpdate();
    outcome.again().ifPresent(control::rescheduleAfter);
    return control;
  }

  /**
   * Whether a newer request for {@code environment} is waiting: another event is queued and the
   * cached resource has moved to another generation (a new spec, e.g. head SHA) or is being
   * deleted. An event that is only this pass's own status write (or another status or metadata
   * change) does not cut the pass short: it would restart the pipeline after every step for
   * nothing, and the event's pass follows this one anyway.
   */
  static boolean supersededInCache(Environment environment, Context<Environment> context) {
    if (!context.isNextReconciliationImminent()) {
      return false;
    }
    long working = generationOf(environment);
    return context
        .getPrimaryCache()
        .get(ResourceID.fromResource(environment))
        .map(
            live ->
                live.getMetadata().getDeletionTimestamp() != null || generationOf(live) != working)
        .orElse(true);
  }

  private static long generationOf(Environment environment) {
    Long generation = environment.getMetadata().getGeneration();
    return generation == null ? 0 : generation;
  }

  @Override
  public DeleteControl cleanup(Environment environment, Context<Environment> context) {
    String namespace = environment.getStatus() == null ? null : environment.getStatus().namespace();
    if (namespace == null) {
      return DeleteControl.defaultDelete();
    }
    Teardown teardown = namespaces.delete(namespace);
    if (teardown instanceof Teardown.Gone) {
      LOG.infof("environment %s torn down", environment.getMetadata().getName());
      return DeleteControl.defaultDelete();
    }
    String blockedBy = ((Teardown.Terminating) teardown).blockedBy();
    StatusDraft draft = StatusDraft.of(environment, clock);
    String evicted =
        EnvironmentAdmission.evictedBy(environment)
            .map(by -> "evicted to make room for " + by + "; ")
            .orElse("");
    draft.phase(
        EnvironmentPhase.Deleting,
        "Deleting",
        evicted
            + "deleting namespace "
            + namespace
            + (blockedBy.isEmpty() ? "" : "; " + blockedBy));
    try {
      writer.write(environment, draft);
    } catch (EnvironmentStatusWriter.SupersededException e) {
      LOG.debugf("%s", e.getMessage());
    }
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(config.teardownPollInterval());
  }
}

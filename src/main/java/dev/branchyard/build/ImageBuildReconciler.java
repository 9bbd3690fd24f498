package dev.branchyard.build;

import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The {@code ImageBuild} controller: java-operator-sdk watches the resources and calls this for
 * each change; {@link BuildCoordinator} decides and writes the status itself (builds run for
 * minutes, long after a reconcile returns).
 *
 * <p>Not generation-aware: owner changes (an environment attaching or letting go) do not change the
 * generation but can cancel or restart a build. The finalizer ({@link Cleaner}) makes sure a
 * deleted build is stopped before it disappears.
 */
@ControllerConfiguration(
    name = ImageBuildReconciler.NAME,
    generationAwareEventProcessing = false,
    maxReconciliationInterval =
        @MaxReconciliationInterval(interval = 10, timeUnit = TimeUnit.MINUTES))
public class ImageBuildReconciler implements Reconciler<ImageBuild>, Cleaner<ImageBuild> {

  public static final String NAME = "imagebuild";

  private final BuildCoordinator coordinator;

  public ImageBuildReconciler(BuildCoordinator coordinator) {
    this.coordinator = coordinator;
  }

  @Override
  public UpdateControl<ImageBuild> reconcile(ImageBuild build, Context<ImageBuild> context) {
    Optional<Duration> again = coordinator.reconcile(build);
    UpdateControl<ImageBuild> control = UpdateControl.noUpdate();
    again.ifPresent(control::rescheduleAfter);
    return control;
  }

  @Override
  public DeleteControl cleanup(ImageBuild build, Context<ImageBuild> context) {
    coordinator.deleted(build);
    return DeleteControl.defaultDelete();
  }
}

package dev.branchyard.build;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The ImageBuild controller as the application wires it (coordinator, status writer, ConfigMap log
 * store, java-operator-sdk), built by hand around a given builder and registry and watching one
 * namespace: for ITs and benchmarks that need the controller without a Quarkus application.
 */
public final class ControllerHarness implements AutoCloseable {

  private final KubernetesClient client;
  private final KubernetesBuildStatusWriter statuses;
  private final ConfigMapBuildLogStore logs;
  private final BuildCoordinator coordinator;
  private final Operator operator;

  /**
   * Starts the controller.
   *
   * @param client a client whose namespace is the one to watch (and where logs are kept)
   */
  public ControllerHarness(
      KubernetesClient client,
      ImageRegistry registry,
      ImageBuilder builder,
      BuildConfig config,
      BuildCoordinator.Settings settings) {
    this.client = client;
    this.statuses = new KubernetesBuildStatusWriter(client);
    this.logs = new ConfigMapBuildLogStore(client, config, Clock.systemUTC());
    this.coordinator =
        new BuildCoordinator(
            registry,
            builder,
            statuses,
            new KubernetesBuildSecrets(client),
            logs,
            settings,
            Clock.systemUTC());
    this.operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false));
    operator.register(
        new ImageBuildReconciler(coordinator), o -> o.settingNamespaces(client.getNamespace()));
    operator.start();
  }

  /** Settings for tests: 2 builds at once, 3 attempts, one-second delays. */
  public static BuildCoordinator.Settings quickSettings() {
    return new BuildCoordinator.Settings(2, 3, Duration.ofSeconds(1), Duration.ofSeconds(1));
  }

  public ConfigMapBuildLogStore logs() {
    return logs;
  }

  /**
   * Stops the controller, then removes the finalizers it put on builds in its namespace (no one
   * would remove them once it is gone), so the namespace can be deleted.
   */
  @Override
  public void close() {
    try {
      operator.stop();
    } finally {
      coordinator.close();
      statuses.close();
      logs.close();
      List<ImageBuild> left = client.resources(ImageBuild.class).list().getItems();
      for (ImageBuild build : left) {
        if (build.getMetadata().getFinalizers() != null
            && !build.getMetadata().getFinalizers().isEmpty()) {
          build.getMetadata().setFinalizers(List.of());
          client.resource(build).update();
        }
      }
    }
  }
}

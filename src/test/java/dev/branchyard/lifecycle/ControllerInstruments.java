package dev.branchyard.lifecycle;

import dev.branchyard.build.ImageRegistry;
import dev.branchyard.deploy.ComponentManifests;
import dev.branchyard.deploy.ManifestApplier;
import dev.branchyard.deploy.ReadinessChecker;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import java.time.Clock;

/**
 * Hooks to wrap the parts a {@link LifecycleHarness} replica is built from, e.g. to time them
 * ({@link ControllerProcess}). Every hook returns what it is given, or builds the plain part,
 * unless overridden; ITs use {@link #NONE}.
 */
interface ControllerInstruments {

  ControllerInstruments NONE = new ControllerInstruments() {};

  default ImageRegistry registry(ImageRegistry registry) {
    return registry;
  }

  default ManifestApplier applier(ManifestApplier applier) {
    return applier;
  }

  default ReadinessChecker readiness(ReadinessChecker readiness) {
    return readiness;
  }

  default ComponentManifests renderer(ComponentManifests renderer) {
    return renderer;
  }

  default EnvironmentNamespaces namespaces(EnvironmentNamespaces namespaces) {
    return namespaces;
  }

  default EnvironmentStatusWriter writer(KubernetesClient client, Clock clock) {
    return new EnvironmentStatusWriter(client, clock);
  }

  /** java-operator-sdk's hooks around each reconciliation (its timing, its outcome). */
  default Metrics metrics() {
    return Metrics.NOOP;
  }
}

package dev.branchyard.testing;

import dev.branchyard.platform.ClusterManifests;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points a {@code @QuarkusTest} at the local platform, with Branchyard's CRDs installed (as {@code
 * k8s/} would install them), so controllers can start. Never stops it: the platform outlives one
 * Quarkus application and is stopped once, when the test JVM exits.
 */
public class LocalPlatformResource implements QuarkusTestResourceLifecycleManager {

  @Override
  public Map<String, String> start() {
    LocalPlatform platform = LocalPlatform.get();
    try (KubernetesClient client = platform.newClient()) {
      ClusterManifests.installCrds(client, platform.projectDir());
    }
    Config config = platform.clientConfig();
    // A kubeconfig's user token lands in the "auto" token (refreshable), not the fixed one.
    String token =
        config.getOauthToken() != null ? config.getOauthToken() : config.getAutoOAuthToken();
    return Map.of(
        "quarkus.kubernetes-client.api-server-url", config.getMasterUrl(),
        "quarkus.kubernetes-client.token", required(token, "a bearer token"),
        "quarkus.kubernetes-client.ca-cert-data", required(config.getCaCertData(), "CA data"),
        // Branchyard's own namespace (in a pod: the pod's); controllers watch it.
        "quarkus.kubernetes-client.namespace", "default",
        "branchyard.test.registry", platform.registry());
  }

  @Override
  public void stop() {}

  private static String required(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "the platform's kubeconfig has no " + what + "; the tests need token auth and CA data");
    }
    return value;
  }
}

package dev.branchyard.testing;

import io.fabric8.kubernetes.client.Config;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points a {@code @QuarkusTest} at the local platform. Never stops it: the platform outlives one
 * Quarkus application and is stopped once, when the test JVM exits.
 */
public class LocalPlatformResource implements QuarkusTestResourceLifecycleManager {

  @Override
  public Map<String, String> start() {
    LocalPlatform platform = LocalPlatform.get();
    Config config = platform.clientConfig();
    return Map.of(
        "quarkus.kubernetes-client.api-server-url", config.getMasterUrl(),
        "quarkus.kubernetes-client.token", config.getOauthToken(),
        "quarkus.kubernetes-client.ca-cert-data", config.getCaCertData(),
        "branchyard.test.registry", platform.registry());
  }

  @Override
  public void stop() {}
}

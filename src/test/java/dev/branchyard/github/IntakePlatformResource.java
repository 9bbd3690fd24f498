package dev.branchyard.github;

import dev.branchyard.testing.LocalPlatform;
import dev.branchyard.testing.LocalPlatformResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.Map;

/**
 * The local platform, with Branchyard's own namespace set to {@value #NAMESPACE} (created if
 * missing) so the intake's Environments never meet other tests' on a shared platform.
 */
public class IntakePlatformResource extends LocalPlatformResource {

  static final String NAMESPACE = "intake-it";

  @Override
  public Map<String, String> start() {
    Map<String, String> config = new HashMap<>(super.start());
    try (KubernetesClient client = LocalPlatform.get().newClient()) {
      if (client.namespaces().withName(NAMESPACE).get() == null) {
        client
            .namespaces()
            .resource(
                new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
            .create();
      }
    }
    config.put("quarkus.kubernetes-client.namespace", NAMESPACE);
    return config;
  }
}

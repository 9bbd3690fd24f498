package dev.branchyard.build;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** Reads build-argument Secrets from Branchyard's namespace. */
public final class KubernetesBuildSecrets implements BuildSecrets {

  private final KubernetesClient client;

  public KubernetesBuildSecrets(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public Optional<String> value(String secretName, String key) {
    Secret secret;
    try {
      secret = client.secrets().inNamespace(client.getNamespace()).withName(secretName).get();
    } catch (KubernetesClientException e) {
      throw new IllegalStateException(
          "reading Secret " + secretName + " failed (HTTP " + e.getCode() + ")", e);
    }
    if (secret == null) {
      return Optional.empty();
    }
    if (secret.getData() != null && secret.getData().containsKey(key)) {
      return Optional.of(
          new String(
              Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8));
    }
    if (secret.getStringData() != null) {
      return Optional.ofNullable(secret.getStringData().get(key));
    }
    return Optional.empty();
  }
}

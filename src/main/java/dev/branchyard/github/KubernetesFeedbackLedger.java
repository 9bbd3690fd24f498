package dev.branchyard.github;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.branchyard.lifecycle.Environment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/**
 * {@link FeedbackLedger} as an annotation on the Environment, written with a JSON merge patch (no
 * resourceVersion: it never conflicts with the controller's writes, and touches nothing else).
 */
final class KubernetesFeedbackLedger implements FeedbackLedger {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;

  KubernetesFeedbackLedger(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public void record(String environment, String fingerprints) {
    ObjectNode patch = JSON.createObjectNode();
    patch.putObject("metadata").putObject("annotations").put(ANNOTATION, fingerprints);
    try {
      client
          .resources(Environment.class)
          .inNamespace(client.getNamespace())
          .withName(environment)
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
      // Deleted meanwhile: there is nothing left to record on.
    }
  }
}

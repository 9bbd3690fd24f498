package dev.branchyard.chatops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentNotFoundException;
import dev.branchyard.lifecycle.EnvironmentRequests;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.HttpURLConnection;

/**
 * {@link ForkApprovals} on the Kubernetes API: a JSON merge patch of the one annotation, so it
 * never conflicts with the controller's or intake's concurrent writes of other fields.
 */
@ApplicationScoped
public class KubernetesForkApprovals implements ForkApprovals {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;

  public KubernetesForkApprovals(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public void approve(String environmentName, String login) {
    ObjectNode patch = JSON.createObjectNode();
    patch
        .putObject("metadata")
        .putObject("annotations")
        .put(EnvironmentRequests.FORK_APPROVED_BY_ANNOTATION, login);
    try {
      client
          .resources(Environment.class)
          .inNamespace(client.getNamespace())
          .withName(environmentName)
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        throw new EnvironmentNotFoundException(environmentName);
      }
      throw e;
    }
  }
}

package dev.branchyard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

/** How {@link ServerSideApplier} words the API server's refusals. */
class ServerSideApplierTest {

  @Test
  void refusalIsWordedByTheServersStatusWithFieldCausesItsMessageLacks() {
    Status status =
        new StatusBuilder()
            .withCode(422)
            .withReason("Invalid")
            .withMessage(
                "Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1: must be"
                    + " greater than or equal to 0")
            .withNewDetails()
            .addNewCause()
            .withField("spec.replicas")
            .withMessage("Invalid value: -1: must be greater than or equal to 0")
            .endCause()
            .addNewCause()
            .withField("spec.template.spec.containers[0].name")
            .withMessage("Required value")
            .endCause()
            .endDetails()
            .build();

    String message =
        ServerSideApplier.serverMessage(
            new KubernetesClientException("Failure executing: PATCH at: https://...", 422, status));

    assertThat(message)
        .isEqualTo(
            "422 Invalid: Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1:"
                + " must be greater than or equal to 0; spec.template.spec.containers[0].name:"
                + " Required value");
  }

  @Test
  void refusalWithoutStatusKeepsTheClientsMessage() {
    assertThat(ServerSideApplier.serverMessage(new KubernetesClientException("connection refused")))
        .isEqualTo("connection refused");
  }
}

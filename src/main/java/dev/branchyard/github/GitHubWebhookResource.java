package dev.branchyard.github;

import dev.branchyard.github.WebhookIntake.Delivery;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Optional;

/**
 * {@code POST /webhooks/github}: where a GitHub App's (or repository's) webhook delivers. Bodies
 * over {@code quarkus.http.limits.max-body-size} (set from {@code branchyard.github.max-body-size},
 * 25M) are refused with 413 by the HTTP layer before they reach this class.
 */
@Path("/webhooks/github")
public class GitHubWebhookResource {

  private final WebhookIntake intake;

  public GitHubWebhookResource(WebhookIntake intake) {
    this.intake = intake;
  }

  /**
   * The answer GitHub records under "Recent Deliveries".
   *
   * @param result what was made of the delivery (see {@link DeliveryOutcome})
   * @param message what happened, in words
   * @param details per environment or stack
   */
  public record Answer(String result, String message, List<String> details) {}

  @POST
  @Consumes(MediaType.WILDCARD)
  @Produces(MediaType.APPLICATION_JSON)
  public Response deliver(
      @HeaderParam(PullRequestEvents.EVENT_HEADER) String event,
      @HeaderParam(DeliveryLedger.HEADER) String deliveryId,
      @HeaderParam(WebhookSignature.HEADER) String signature,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
      byte[] body) {
    DeliveryOutcome outcome =
        intake.receive(
            new Delivery(
                Optional.ofNullable(event),
                Optional.ofNullable(deliveryId),
                Optional.ofNullable(signature),
                Optional.ofNullable(contentType),
                body == null ? new byte[0] : body));
    return Response.status(outcome.status())
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(new Answer(outcome.result(), outcome.message(), outcome.details()))
        .build();
  }
}

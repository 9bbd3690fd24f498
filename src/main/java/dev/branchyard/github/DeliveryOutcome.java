package dev.branchyard.github;

import java.util.List;
import java.util.Objects;

/**
 * How a webhook delivery was answered: the HTTP status GitHub sees, a short result (also the {@code
 * result} tag of {@code branchyard_webhook_deliveries_total}) and what happened, in words.
 *
 * @param status the HTTP status
 * @param result one of {@code recorded}, {@code ignored}, {@code duplicate}, {@code ping}, {@code
 *     command}, {@code noted}, {@code unauthorized}, {@code too-large}, {@code bad-request}, {@code
 *     unavailable}, {@code unconfigured}
 * @param message one line for people (GitHub shows it under "Recent Deliveries")
 * @param details per environment or stack: what was done or why nothing was
 */
public record DeliveryOutcome(int status, String result, String message, List<String> details) {

  public DeliveryOutcome {
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(message, "message");
    details = List.copyOf(details);
  }

  static DeliveryOutcome of(int status, String result, String message) {
    return new DeliveryOutcome(status, result, message, List.of());
  }
}

package dev.branchyard.github;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Refuses webhook bodies over {@code branchyard.github.max-body-size} with 413 in a way the sender
 * reads. The HTTP layer's own limit ({@code quarkus.http.limits.max-body-size}) answers 413 and
 * closes the connection at once; a client still sending the body (one that does not use {@code
 * Expect: 100-continue}) then sees a broken pipe instead of the 413. Here the announced body is
 * read and dropped (never kept) and the 413 sent once it is in, so the sender gets the answer.
 * Bodies announced as much larger than GitHub ever sends are cut off at once.
 */
@ApplicationScoped
public class WebhookBodyLimit {

  private static final Logger LOG = Logger.getLogger(WebhookBodyLimit.class);

  /** Before the HTTP layer's upload limit and body handlers, after access logging. */
  private static final int ORDER = Integer.MIN_VALUE + 5;

  /** Bodies announced larger than this are not read to the end: not GitHub, whatever they are. */
  private static final long MAX_DRAIN = 64L * 1024 * 1024;

  private final long maxBodySize;
  private final MeterRegistry metrics;

  public WebhookBodyLimit(GitHubConfig config, MeterRegistry metrics) {
    this.maxBodySize = config.maxBodySize().asLongValue();
    this.metrics = metrics;
  }

  void install(@Observes Router router) {
    router.post("/webhooks/github").order(ORDER).handler(this::check);
  }

  private void check(RoutingContext context) {
    HttpServerRequest request = context.request();
    long length = contentLength(request.getHeader(HttpHeaders.CONTENT_LENGTH));
    if (length <= maxBodySize) {
      context.next();
      return;
    }
    String event = request.getHeader(PullRequestEvents.EVENT_HEADER);
    metrics
        .counter(
            WebhookIntake.DELIVERIES_METRIC,
            "event",
            WebhookIntake.metricEvent(event == null ? "" : event),
            "result",
            "too-large")
        .increment();
    LOG.warnf(
        "delivery %s (%s) refused: body of %d bytes is over %d",
        request.getHeader(DeliveryLedger.HEADER), event, length, maxBodySize);
    boolean waitsForContinue = "100-continue".equalsIgnoreCase(request.getHeader("Expect"));
    if (waitsForContinue || length > MAX_DRAIN) {
      // Nothing was sent yet (or too much would be): answer now and close.
      refuse(context);
      return;
    }
    request.handler(ignored -> {});
    request.exceptionHandler(failure -> context.response().reset());
    request.endHandler(done -> refuse(context));
    request.resume();
  }

  private void refuse(RoutingContext context) {
    if (context.response().ended()) {
      return;
    }
    context
        .response()
        .setStatusCode(413)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(
            "{\"result\":\"too-large\",\"message\":\"the body is over "
                + maxBodySize
                + " bytes; nothing was done\",\"details\":[]}");
  }

  private static long contentLength(String header) {
    if (header == null) {
      return -1;
    }
    try {
      return Long.parseLong(header.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}

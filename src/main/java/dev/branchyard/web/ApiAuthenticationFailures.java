package dev.branchyard.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.security.AuthenticationFailedException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;

/**
 * A token that fails authentication is rejected before any resource runs (Quarkus authenticates
 * proactively), so the REST exception mappers never see it: this failure handler answers it under
 * {@code /api} with the same problem document they would, and leaves every other path alone.
 */
@ApplicationScoped
public class ApiAuthenticationFailures {

  private final ObjectMapper json;

  public ApiAuthenticationFailures(ObjectMapper json) {
    this.json = json;
  }

  void install(@Observes Router router) {
    router.route("/api/*").order(Integer.MIN_VALUE).failureHandler(this::handle);
  }

  private void handle(RoutingContext context) {
    Throwable failure = context.failure();
    if (!(failure instanceof AuthenticationFailedException) || context.response().ended()) {
      context.next();
      return;
    }
    Response answer = ApiProblems.invalidToken(context.normalizedPath(), failure.getMessage());
    try {
      context
          .response()
          .setStatusCode(answer.getStatus())
          .putHeader("Content-Type", Problem.MEDIA_TYPE)
          .putHeader("WWW-Authenticate", answer.getHeaderString("WWW-Authenticate"))
          .end(json.writeValueAsString(answer.getEntity()));
    } catch (JsonProcessingException e) {
      context.next();
    }
  }
}

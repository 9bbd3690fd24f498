package dev.branchyard.web;

import dev.branchyard.github.GitHubUnavailableException;
import dev.branchyard.lifecycle.EnvironmentNotFoundException;
import dev.branchyard.lifecycle.ExtensionRefusedException;
import dev.branchyard.lifecycle.InvalidTtlException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.resteasy.reactive.server.runtime.exceptionmappers.AuthenticationFailedExceptionMapper;
import io.quarkus.resteasy.reactive.server.runtime.exceptionmappers.UnauthorizedExceptionMapper;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns the API's errors into RFC 9457 {@code application/problem+json} answers whose {@code
 * detail} says what to do, with extension members naming what was at fault.
 *
 * <p>These mappers are global. Under {@code /api} they answer problem documents; elsewhere (the
 * status pages) the security exceptions keep Quarkus' own handling (a login challenge), and page
 * resources that want HTML errors for the domain exceptions declare their own mappers in their
 * class, which take precedence.
 */
public class ApiProblems {

  private static final Logger LOG = Logger.getLogger(ApiProblems.class);

  /** What a client must send: RFC 6750 bearer tokens, as the API mints them. */
  static final String CHALLENGE = "Bearer realm=\"branchyard\"";

  private static final String HOW_TO_GET_A_TOKEN =
      " Send 'Authorization: Bearer <token>'; an admin mints tokens with scripts/api-token.sh"
          + " create --name <name> --scope <read|write|admin> (or POST /api/tokens).";

  /** Whether a request path is the API's. */
  static boolean isApi(String path) {
    return path.equals("/api") || path.startsWith("/api/");
  }

  @ServerExceptionMapper
  public Response environmentNotFound(EnvironmentNotFoundException e, UriInfo uri) {
    return answer(
        Problem.of(
                "environment-not-found",
                "Environment not found",
                404,
                "There is no environment named '"
                    + e.name()
                    + "' (it may have expired or been destroyed). GET /api/environments lists the"
                    + " environments there are.",
                path(uri))
            .with("environment", e.name()));
  }

  @ServerExceptionMapper
  public Response invalidTtl(InvalidTtlException e, UriInfo uri) {
    return answer(
        Problem.of("invalid-duration", "Invalid duration", 400, e.getMessage(), path(uri))
            .with("valid", "a positive duration like 30m, 2h, 1h30m or 1d (units d, h, m, s)"));
  }

  @ServerExceptionMapper
  public Response extensionRefused(ExtensionRefusedException e, UriInfo uri) {
    return answer(
        Problem.of("extension-refused", "Extension refused", 422, e.getMessage(), path(uri)));
  }

  @ServerExceptionMapper
  public Response invalidQuery(InvalidQueryException e, UriInfo uri) {
    return answer(
        Problem.of("invalid-request", "Invalid request", 400, e.getMessage(), path(uri))
            .with("parameter", e.parameter()));
  }

  @ServerExceptionMapper
  public Response apiProblem(ApiProblemException e, UriInfo uri) {
    Problem problem = e.problem();
    return answer(
        problem.instance() != null
            ? problem
            : new Problem(
                problem.type(),
                problem.title(),
                problem.status(),
                problem.detail(),
                path(uri),
                problem.extensions()));
  }

  @ServerExceptionMapper
  public Response gitHubUnavailable(GitHubUnavailableException e, UriInfo uri) {
    return answer(
        Problem.of(
            "github-unavailable",
            "GitHub unavailable",
            503,
            e.getMessage() + " Try again shortly.",
            path(uri)));
  }

  @ServerExceptionMapper
  public Response kubernetesFailed(KubernetesClientException e, UriInfo uri) {
    LOG.warnf("Kubernetes API call failed for %s: %s", path(uri), e.getMessage());
    return answer(
        Problem.of(
                "kubernetes-unavailable",
                "Kubernetes API call failed",
                503,
                "Branchyard could not read or write its resources in the Kubernetes API ("
                    + (e.getCode() > 0 ? "HTTP " + e.getCode() : "no answer")
                    + "). Try again shortly; if it persists, check /q/health/ready.",
                path(uri))
            .with("kubernetesStatus", e.getCode() > 0 ? e.getCode() : null));
  }

  /** Unknown routes, wrong methods, unreadable JSON bodies: as problems under {@code /api}. */
  @ServerExceptionMapper
  public Response webApplication(WebApplicationException e, UriInfo uri) {
    Response original = e.getResponse();
    if (!isApi(path(uri))) {
      return original;
    }
    int status = original.getStatus();
    String detail =
        switch (status) {
          case 404 ->
              "There is no such API resource. The OpenAPI document at /q/openapi lists them.";
          case 405 -> "This resource does not support that method; /q/openapi lists the methods.";
          case 415 -> "Send the request body as application/json.";
          case 406 -> "This resource answers application/json (or text/event-stream for logs).";
          case 400 -> "The request body is not valid JSON of the expected shape: " + e.getMessage();
          default -> e.getMessage();
        };
    Response.Status known = Response.Status.fromStatusCode(status);
    return answer(
        Problem.of(
            "http-" + status,
            known != null ? known.getReasonPhrase() : "HTTP " + status,
            status,
            detail,
            path(uri)));
  }

  // ---- security: problems under /api, Quarkus' own handling elsewhere --------------------------

  @ServerExceptionMapper(priority = Priorities.USER - 100)
  public Uni<Response> unauthorized(UnauthorizedException e, RoutingContext context) {
    String path = context.normalizedPath();
    if (!isApi(path)) {
      return new UnauthorizedExceptionMapper().handle(context);
    }
    return Uni.createFrom().item(missingToken(path));
  }

  @ServerExceptionMapper(priority = Priorities.USER - 100)
  public Uni<Response> authenticationFailed(
      AuthenticationFailedException e, RoutingContext context) {
    String path = context.normalizedPath();
    if (!isApi(path)) {
      return new AuthenticationFailedExceptionMapper().handle(context, e);
    }
    return Uni.createFrom().item(invalidToken(path, e.getMessage()));
  }

  @ServerExceptionMapper(priority = Priorities.USER - 100)
  public Response forbidden(ForbiddenException e, RoutingContext context) {
    String path = context.normalizedPath();
    if (!isApi(path)) {
      return Response.status(Response.Status.FORBIDDEN).build();
    }
    return answer(
        Problem.of(
            "insufficient-scope",
            "Insufficient scope",
            403,
            "This token's scope does not allow this call: reading needs the read scope, changing"
                + " environments the write scope, managing tokens the admin scope. Ask an admin"
                + " for a token with the scope you need.",
            path));
  }

  /** 401 for a call that needs a token and came without one. */
  static Response missingToken(String path) {
    return Response.fromResponse(
            answer(
                Problem.of(
                    "token-required",
                    "API token required",
                    401,
                    "This call needs an API token." + HOW_TO_GET_A_TOKEN,
                    path)))
        .header(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE)
        .build();
  }

  /** 401 for a token that is not (or no longer) valid. */
  static Response invalidToken(String path, String why) {
    return Response.fromResponse(
            answer(
                Problem.of(
                    "invalid-token",
                    "Invalid API token",
                    401,
                    (why == null || why.isBlank() ? "The API token is not valid." : why)
                        + HOW_TO_GET_A_TOKEN,
                    path)))
        .header(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE + ", error=\"invalid_token\"")
        .build();
  }

  static Response answer(Problem problem) {
    return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
  }

  private static String path(UriInfo uri) {
    String path = uri.getPath();
    return path.startsWith("/") ? path : "/" + path;
  }
}

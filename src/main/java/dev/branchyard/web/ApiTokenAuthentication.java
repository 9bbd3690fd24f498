package dev.branchyard.web;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.BaseAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * Bearer API tokens ({@code Authorization: Bearer by_...}) on {@code /api} only, so that other
 * mechanisms (the pages' GitHub login) own every other path and any bearer token that is not
 * Branchyard's. A request to {@code /api} without a token stays anonymous: whether that may read is
 * decided by roles ({@link AnonymousApiReads}), and a call that needs a token answers 401.
 */
@ApplicationScoped
public class ApiTokenAuthentication implements HttpAuthenticationMechanism {

  /** The OpenAPI security scheme's name. */
  public static final String SCHEME = "apiToken";

  private static final String BEARER = "bearer ";

  /** A presented API token, for {@link ApiTokenIdentityProvider}. */
  public static final class ApiTokenRequest extends BaseAuthenticationRequest {
    private final String token;

    public ApiTokenRequest(String token) {
      this.token = token;
    }

    public String token() {
      return token;
    }
  }

  @Override
  public Uni<SecurityIdentity> authenticate(
      RoutingContext context, IdentityProviderManager identityProviderManager) {
    if (!ApiProblems.isApi(context.normalizedPath())) {
      return Uni.createFrom().nullItem();
    }
    String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Uni.createFrom().nullItem();
    }
    String token = header.substring(BEARER.length()).strip();
    if (!ApiTokens.looksLikeToken(token)) {
      return Uni.createFrom().nullItem();
    }
    AuthenticationRequest request =
        HttpSecurityUtils.setRoutingContextAttribute(new ApiTokenRequest(token), context);
    return identityProviderManager.authenticate(request);
  }

  @Override
  public Uni<ChallengeData> getChallenge(RoutingContext context) {
    if (!ApiProblems.isApi(context.normalizedPath())) {
      return Uni.createFrom().nullItem();
    }
    return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", ApiProblems.CHALLENGE));
  }

  @Override
  public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
    return Set.of(ApiTokenRequest.class);
  }

  @Override
  public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
    return Uni.createFrom()
        .item(new HttpCredentialTransport(HttpCredentialTransport.Type.AUTHORIZATION, "bearer"));
  }

  /** Before the default mechanisms, so an API path's challenge is this one's. */
  @Override
  public int getPriority() {
    return DEFAULT_PRIORITY + 200;
  }
}

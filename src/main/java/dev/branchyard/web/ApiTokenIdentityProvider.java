package dev.branchyard.web;

import dev.branchyard.web.ApiTokenAuthentication.ApiTokenRequest;
import dev.branchyard.web.ApiTokens.StoredToken;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Checks an API token against the stored hashes: the identity is the token's name, with the roles
 * of its scope ({@link ApiScope#roles()}) and an attribute {@code scope}.
 */
@ApplicationScoped
public class ApiTokenIdentityProvider implements IdentityProvider<ApiTokenRequest> {

  /** Identity attribute: the token's scope ({@link ApiScope}). */
  public static final String SCOPE_ATTRIBUTE = "branchyard.api.scope";

  private final ApiTokenStore store;

  public ApiTokenIdentityProvider(ApiTokenStore store) {
    this.store = store;
  }

  @Override
  public Class<ApiTokenRequest> getRequestType() {
    return ApiTokenRequest.class;
  }

  @Override
  public Uni<SecurityIdentity> authenticate(
      ApiTokenRequest request, AuthenticationRequestContext context) {
    // The store may read a Secret from the Kubernetes API: off the event loop.
    return context.runBlocking(
        () -> {
          Optional<StoredToken> token = ApiTokens.match(request.token(), store.all());
          if (token.isEmpty()) {
            throw new AuthenticationFailedException(
                "This API token is not valid: it was revoked, mistyped, or never minted here.");
          }
          return QuarkusSecurityIdentity.builder()
              .setPrincipal(new QuarkusPrincipal(token.get().name()))
              .addRoles(token.get().scope().roles())
              .addAttribute(SCOPE_ATTRIBUTE, token.get().scope())
              .build();
        });
  }
}

package dev.branchyard.web;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * With {@code branchyard.web.api.anonymous-read=true} (the default, like the pages), an anonymous
 * caller holds the read role, so {@code GET}s under {@code /api} answer without a token. The
 * identity stays anonymous, so a call needing more still answers 401 (token required), not 403.
 */
@ApplicationScoped
public class AnonymousApiReads implements SecurityIdentityAugmentor {

  private final ApiConfig config;

  public AnonymousApiReads(ApiConfig config) {
    this.config = config;
  }

  @Override
  public Uni<SecurityIdentity> augment(
      SecurityIdentity identity, AuthenticationRequestContext context) {
    if (!identity.isAnonymous() || !config.anonymousRead()) {
      return Uni.createFrom().item(identity);
    }
    return Uni.createFrom()
        .item(QuarkusSecurityIdentity.builder(identity).addRole(ApiRoles.READ).build());
  }
}

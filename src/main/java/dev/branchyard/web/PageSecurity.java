package dev.branchyard.web;

import dev.branchyard.github.GitHubUnavailableException;
import dev.branchyard.github.RepoPermissions;
import dev.branchyard.web.ActionPolicy.PermissionCheck;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.IdTokenCredential;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The pages' security decisions that need the running application: who the viewer is (the GitHub
 * login of the session), their permission on a repository, and CSRF tokens.
 */
@ApplicationScoped
public class PageSecurity {

  private static final Logger LOG = Logger.getLogger(PageSecurity.class);

  private final LoginSettings login;
  private final Instance<RepoPermissions> permissions;
  private final CsrfTokens csrf;

  public PageSecurity(
      LoginSettings login, Instance<RepoPermissions> permissions, PagesConfig config) {
    this.login = login;
    this.permissions = permissions;
    this.csrf = new CsrfTokens(key(config));
  }

  /** The viewer of the current request. */
  public PageViewer viewer(SecurityIdentity identity) {
    if (identity == null || identity.isAnonymous()) {
      return PageViewer.anonymous();
    }
    AccessTokenCredential access = identity.getCredential(AccessTokenCredential.class);
    IdTokenCredential id = identity.getCredential(IdTokenCredential.class);
    Optional<String> secret =
        Optional.ofNullable(access)
            .map(AccessTokenCredential::getToken)
            .or(() -> Optional.ofNullable(id).map(IdTokenCredential::getToken));
    return new PageViewer(Optional.of(identity.getPrincipal().getName()), secret);
  }

  public boolean loginConfigured() {
    return login.configured();
  }

  /** What GitHub says of the viewer's permission on {@code repo}; never throws. */
  public PermissionCheck permission(String repo, String viewerLogin) {
    if (permissions.isUnsatisfied()) {
      return new PermissionCheck.NoSource();
    }
    try {
      return new PermissionCheck.Answered(permissions.get().permission(repo, viewerLogin));
    } catch (GitHubUnavailableException e) {
      return new PermissionCheck.Unavailable(e.getMessage());
    }
  }

  /** The token the viewer's forms carry; empty for anonymous viewers. */
  public Optional<String> csrfToken(PageViewer viewer) {
    return viewer.sessionSecret().map(csrf::issue);
  }

  /** Whether a form's token belongs to the viewer's session. */
  public boolean csrfValid(PageViewer viewer, String token) {
    return viewer.sessionSecret().map(s -> csrf.verify(s, token)).orElse(false);
  }

  private static byte[] key(PagesConfig config) {
    if (config.csrfKey().isPresent()) {
      return config.csrfKey().get().getBytes(StandardCharsets.UTF_8);
    }
    LOG.debug(
        "branchyard.web.pages.csrf-key is not set: CSRF tokens are signed with a key of this"
            + " process only");
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }
}

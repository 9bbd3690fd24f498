package dev.branchyard.web;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Whether people can log in to the pages: a GitHub OAuth app configured for quarkus-oidc (its
 * default tenant enabled, with a client id). Without one Branchyard still starts, and the pages say
 * that actions are unavailable and why.
 */
@ApplicationScoped
public class LoginSettings {

  private final boolean configured;

  public LoginSettings(
      @ConfigProperty(name = "quarkus.oidc.tenant-enabled", defaultValue = "true")
          boolean tenantEnabled,
      @ConfigProperty(name = "quarkus.oidc.client-id") Optional<String> clientId) {
    this.configured = tenantEnabled && clientId.filter(id -> !id.isBlank()).isPresent();
  }

  /** Whether a login is possible. */
  public boolean configured() {
    return configured;
  }

  /** The page that logs in and comes back to {@code then} (a path of this site). */
  public Optional<String> loginUrl(String then) {
    return configured ? Optional.of("/login?then=" + LocalPaths.encode(then)) : Optional.empty();
  }
}

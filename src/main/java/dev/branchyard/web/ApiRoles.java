package dev.branchyard.web;

import dev.branchyard.Pure;

/**
 * The roles an API token's scope grants, as {@code @RolesAllowed} names them. Scopes nest: a {@code
 * write} token can read, an {@code admin} token can do everything.
 */
@Pure
public final class ApiRoles {

  /**
   * Read environments, builds and logs. Granted to anonymous callers when anonymous reads are on.
   */
  public static final String READ = "api.read";

  /** Create, destroy, extend and rebuild environments. */
  public static final String WRITE = "api.write";

  /** Mint, list and revoke API tokens. */
  public static final String ADMIN = "api.admin";

  private ApiRoles() {}
}

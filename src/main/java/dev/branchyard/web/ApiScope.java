package dev.branchyard.web;

import dev.branchyard.Pure;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** What an API token may do. Scopes nest: each grants the roles of the ones before it. */
@Pure
public enum ApiScope {
  READ(Set.of(ApiRoles.READ)),
  WRITE(Set.of(ApiRoles.READ, ApiRoles.WRITE)),
  ADMIN(Set.of(ApiRoles.READ, ApiRoles.WRITE, ApiRoles.ADMIN));

  private final Set<String> roles;

  ApiScope(Set<String> roles) {
    this.roles = roles;
  }

  /** The {@code @RolesAllowed} roles this scope grants. */
  public Set<String> roles() {
    return roles;
  }

  /** As written in tokens and requests: {@code read}, {@code write}, {@code admin}. */
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The scope a text names (case-insensitive).
   *
   * @throws InvalidQueryException naming the valid scopes
   */
  public static ApiScope parse(String text) {
    for (ApiScope scope : values()) {
      if (text != null && scope.text().equalsIgnoreCase(text.strip())) {
        return scope;
      }
    }
    throw new InvalidQueryException(
        "scope",
        "unknown scope '"
            + text
            + "'; use one of "
            + Arrays.stream(values()).map(ApiScope::text).collect(Collectors.joining(", ")));
  }
}

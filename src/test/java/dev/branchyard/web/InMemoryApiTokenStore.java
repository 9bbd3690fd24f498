package dev.branchyard.web;

import dev.branchyard.web.ApiTokens.StoredToken;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@link ApiTokenStore} in memory, for API tests. */
@Alternative
@ApplicationScoped
public class InMemoryApiTokenStore implements ApiTokenStore {

  private final Map<String, StoredToken> tokens = new ConcurrentHashMap<>();

  /** The tokens by name (the bean is proxied: read state through methods). */
  Map<String, StoredToken> tokens() {
    return tokens;
  }

  @Override
  public List<StoredToken> all() {
    return List.copyOf(tokens.values());
  }

  @Override
  public void save(StoredToken token) {
    tokens.put(token.name(), token);
  }

  @Override
  public boolean revoke(String name) {
    return tokens.remove(name) != null;
  }
}

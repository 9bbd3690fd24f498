package dev.branchyard.web;

import dev.branchyard.web.ApiTokens.StoredToken;
import java.util.List;

/** Port: where API tokens (their hashes) are kept. */
public interface ApiTokenStore {

  /** Every stored token, possibly as read a short while ago. */
  List<StoredToken> all();

  /** Stores a token, replacing one of the same name. */
  void save(StoredToken token);

  /**
   * Removes a token: calls with it fail from then on (on other replicas once they re-read).
   *
   * @return false when there was no token of that name
   */
  boolean revoke(String name);
}

package dev.branchyard.web;

import java.util.Optional;

/**
 * Who is looking at a page.
 *
 * @param login their GitHub login, empty when anonymous
 * @param sessionSecret what their session's CSRF token is derived from (the session's access
 *     token), empty when anonymous
 */
public record PageViewer(Optional<String> login, Optional<String> sessionSecret) {

  public static PageViewer anonymous() {
    return new PageViewer(Optional.empty(), Optional.empty());
  }
}

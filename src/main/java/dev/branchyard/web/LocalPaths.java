package dev.branchyard.web;

import dev.branchyard.Pure;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Paths of this site that a login may return to: only local absolute paths, so {@code /login?then=}
 * cannot send people to another site (an open redirect).
 */
@Pure
public final class LocalPaths {

  private static final Pattern LOCAL =
      Pattern.compile("/(?![/\\\\])[A-Za-z0-9._~!$&'()*+,;=:@/?%-]*");

  private LocalPaths() {}

  /** {@code then} when it is a local path, else {@code /environments}. */
  public static String safe(String then) {
    return then != null && LOCAL.matcher(then).matches() ? then : "/environments";
  }

  static String encode(String path) {
    return URLEncoder.encode(path, StandardCharsets.UTF_8);
  }
}

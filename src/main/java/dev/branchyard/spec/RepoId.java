package dev.branchyard.spec;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A repository reference reduced to a comparable key, so that {@code acme/api}, {@code
 * https://github.com/acme/api.git} and {@code git@github.com:acme/api.git} are recognised as the
 * same repository. GitHub repos reduce to {@code owner/name} in lower case (GitHub names are
 * case-insensitive); other URLs to {@code host/path} without scheme, user, port or {@code .git}.
 *
 * @param key the comparable form
 */
public record RepoId(String key) {

  static final String RULE =
      "write a GitHub owner/name, or a git URL starting with https://, http://, ssh://, file:// or"
          + " git@host:";

  private static final Pattern GITHUB_SHORT =
      Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}");

  private static final Pattern URL =
      Pattern.compile("(https?|ssh|git)://(?:[^@/\\s]+@)?([^/:\\s]+)(?::\\d+)?(/[^\\s]*)");

  private static final Pattern SCP_LIKE = Pattern.compile("[^@/\\s]+@([^/:\\s]+):([^\\s]+)");

  private static final Pattern FILE_URL = Pattern.compile("file://(/[^\\s]*)");

  /** The comparable form of a repo as a spec or a webhook names it, if it is a valid reference. */
  public static Optional<RepoId> of(String repo) {
    String text = repo.strip();
    if (GITHUB_SHORT.matcher(text).matches() && !text.endsWith(".git")) {
      return Optional.of(new RepoId("github.com/" + text.toLowerCase(Locale.ROOT)));
    }
    Matcher url = URL.matcher(text);
    if (url.matches()) {
      return Optional.of(hostAndPath(url.group(2), url.group(3)));
    }
    Matcher scp = SCP_LIKE.matcher(text);
    if (scp.matches()) {
      return Optional.of(hostAndPath(scp.group(1), "/" + scp.group(2)));
    }
    Matcher file = FILE_URL.matcher(text);
    if (file.matches()) {
      return Optional.of(new RepoId("file://" + trimGit(file.group(1))));
    }
    return Optional.empty();
  }

  /** Whether two references name the same repository; invalid references match nothing. */
  public static boolean same(String a, String b) {
    Optional<RepoId> left = of(a);
    return left.isPresent() && left.equals(of(b));
  }

  private static RepoId hostAndPath(String host, String path) {
    String lowerHost = host.toLowerCase(Locale.ROOT);
    String trimmed = trimGit(path);
    boolean github = lowerHost.equals("github.com") || lowerHost.equals("www.github.com");
    return github
        ? new RepoId("github.com" + trimmed.toLowerCase(Locale.ROOT))
        : new RepoId(lowerHost + trimmed);
  }

  private static String trimGit(String path) {
    String trimmed = path;
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    return trimmed.endsWith(".git") ? trimmed.substring(0, trimmed.length() - 4) : trimmed;
  }
}

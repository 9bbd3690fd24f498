package dev.branchyard.web;

import dev.branchyard.Pure;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Web addresses of repositories, commits and pull requests, for links on the pages. GitHub {@code
 * owner/name} and github.com URLs link to GitHub; other http(s), ssh and scp-like URLs link to
 * {@code https://host/path/commit/<sha>} (GitHub Enterprise, Gitea and Forgejo use that shape,
 * GitLab its {@code /-/commit/}); {@code file:} repositories get no link.
 */
@Pure
public final class CommitLinks {

  private static final Pattern GITHUB_SHORT =
      Pattern.compile("([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)/([A-Za-z0-9._-]+)");
  private static final Pattern HTTP =
      Pattern.compile("(https?)://(?:[^@/\\s]+@)?([^/\\s]+)(/[^\\s?#]*)");
  private static final Pattern SSH =
      Pattern.compile("ssh://(?:[^@/\\s]+@)?([^/:\\s]+)(?::\\d+)?(/\\S*)");
  private static final Pattern SCP_LIKE = Pattern.compile("[^@/\\s]+@([^/:\\s]+):(\\S+)");
  private static final Pattern SHA = Pattern.compile("[0-9a-f]{7,64}");

  private CommitLinks() {}

  /** The repository's web page, if it has one we can tell. */
  public static Optional<String> repository(String repo) {
    if (repo == null) {
      return Optional.empty();
    }
    String trimmed = repo.trim();
    Matcher m = GITHUB_SHORT.matcher(trimmed);
    if (m.matches()) {
      return Optional.of("https://github.com/" + m.group(1) + "/" + trimGit(m.group(2)));
    }
    m = HTTP.matcher(trimmed);
    if (m.matches()) {
      return Optional.of(m.group(1) + "://" + m.group(2) + trimGit(trimSlash(m.group(3))));
    }
    m = SSH.matcher(trimmed);
    if (m.matches()) {
      return Optional.of("https://" + m.group(1) + trimGit(trimSlash(m.group(2))));
    }
    m = SCP_LIKE.matcher(trimmed);
    if (m.matches()) {
      return Optional.of("https://" + m.group(1) + trimGit(trimSlash(m.group(2))));
    }
    return Optional.empty();
  }

  /** The commit's web page, if the repository has one and {@code sha} looks like a commit. */
  public static Optional<String> commit(String repo, String sha) {
    if (sha == null || !SHA.matcher(sha).matches()) {
      return Optional.empty();
    }
    return repository(repo)
        .map(
            base ->
                base + (base.startsWith("https://gitlab.com/") ? "/-/commit/" : "/commit/") + sha);
  }

  /** The pull request's page, for repositories on GitHub (or shaped like it). */
  public static Optional<String> pullRequest(String repo, Integer number) {
    if (number == null) {
      return Optional.empty();
    }
    return repository(repo)
        .map(
            base ->
                base
                    + (base.startsWith("https://gitlab.com/") ? "/-/merge_requests/" : "/pull/")
                    + number);
  }

  private static String trimSlash(String path) {
    String p = path;
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p.startsWith("/") || p.isEmpty() ? p : "/" + p;
  }

  private static String trimGit(String path) {
    return path.endsWith(".git") ? path.substring(0, path.length() - 4) : path;
  }
}

package dev.branchyard.lifecycle;

import dev.branchyard.Pure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Names of Environments, derived from what asked for them so that every front end (webhook, chat,
 * API) lands on the same environment for the same stack and pull request (or branch). Names are DNS
 * labels of at most {@value #MAX_LENGTH} characters: long ones keep a readable prefix and end in a
 * hash of the whole, so two different requests never share a name.
 */
@Pure
public final class EnvironmentNames {

  /** Leaves room for the namespace prefix ({@code by-}) within a 63-character label. */
  public static final int MAX_LENGTH = 53;

  private static final int HASH_LENGTH = 8;

  // Compiled once: names are derived for every webhook delivery and every API request.
  private static final Pattern GIT_SUFFIX = Pattern.compile("\\.git$");
  private static final Pattern URL_PREFIX = Pattern.compile("^[a-z]+://[^/]+/");
  private static final Pattern NOT_LABEL_CHARACTERS = Pattern.compile("[^A-Za-z0-9._-]");
  private static final Pattern LABEL_EDGES = Pattern.compile("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$");
  private static final Pattern TRAILING_SLASHES = Pattern.compile("/+$");
  private static final Pattern NOT_NAME_CHARACTERS = Pattern.compile("[^a-z0-9-]+");
  private static final Pattern DASH_RUNS = Pattern.compile("-{2,}");
  private static final Pattern EDGE_DASHES = Pattern.compile("^-+|-+$");
  private static final Pattern TRAILING_DASHES = Pattern.compile("-+$");

  private EnvironmentNames() {}

  /** {@code <spec>-<repo name>-pr<number>}, e.g. {@code shop-web-pr42}. */
  public static String forPullRequest(String specName, String repo, int number) {
    return name(
        specName + "-" + repoName(repo) + "-pr" + number, specName + "|" + repo + "|" + number);
  }

  /** {@code <spec>-<repo name>-<branch>}, e.g. {@code shop-web-feature-login}. */
  public static String forBranch(String specName, String repo, String branch) {
    return name(
        specName + "-" + repoName(repo) + "-" + branch,
        specName + "|" + repo + "|branch|" + branch);
  }

  /**
   * A label value standing for a repository: {@code owner.name} when it fits a label, else a hash.
   */
  public static String repoLabel(String repo) {
    String slug = URL_PREFIX.matcher(GIT_SUFFIX.matcher(repo).replaceAll("")).replaceAll("");
    slug = NOT_LABEL_CHARACTERS.matcher(slug.replace('/', '.')).replaceAll("-");
    slug = LABEL_EDGES.matcher(slug).replaceAll("");
    if (!slug.isEmpty() && slug.length() <= 63) {
      return slug;
    }
    return "h-" + hash(repo);
  }

  private static String repoName(String repo) {
    String trimmed =
        GIT_SUFFIX.matcher(TRAILING_SLASHES.matcher(repo).replaceAll("")).replaceAll("");
    int slash = trimmed.lastIndexOf('/');
    return slash < 0 ? trimmed : trimmed.substring(slash + 1);
  }

  private static String name(String wanted, String identity) {
    String slug = NOT_NAME_CHARACTERS.matcher(wanted.toLowerCase(Locale.ROOT)).replaceAll("-");
    slug = EDGE_DASHES.matcher(DASH_RUNS.matcher(slug).replaceAll("-")).replaceAll("");
    if (slug.length() <= MAX_LENGTH && slug.equals(wanted)) {
      return slug;
    }
    // Anything changed by the slugging (case, characters) gets the hash too: "Feature/A" and
    // "feature-a" are different branches and must stay different environments.
    String head = slug.substring(0, Math.min(slug.length(), MAX_LENGTH - HASH_LENGTH - 1));
    head = TRAILING_DASHES.matcher(head).replaceAll("");
    return (head.isEmpty() ? "env" : head) + "-" + hash(identity);
  }

  private static String hash(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_LENGTH);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}

package dev.branchyard.build;

import dev.branchyard.Pure;
import dev.branchyard.spec.BuildArgValue;
import dev.branchyard.spec.BuildSpec;
import dev.branchyard.spec.RepoId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Names the image built from a repo at a commit with given build settings: {@code
 * <registry>/<prefix><repo path>:<commit sha>-<settings hash>}. The name depends only on its
 * inputs, so asking the registry for it tells whether the build can be skipped.
 */
@Pure
public final class ImageNamer {

  /** One path component of a repository name (OCI distribution spec, strict form). */
  static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:[._-][a-z0-9]+)*");

  /** A valid tag (OCI distribution spec). */
  static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

  private static final Pattern COMMIT_SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
  private static final Pattern SEPARATOR_RUN = Pattern.compile("[^a-z0-9]+");
  private static final int SETTINGS_HASH_LENGTH = 12;

  // Registries reject longer repository names (distribution counts the host too).
  private static final int MAX_NAME_LENGTH = 255;

  private final String registry;
  private final String prefix;

  /**
   * @param registry where images are pushed, {@code host[:port]}
   * @param prefix path put before every repository path, e.g. {@code branchyard}; empty for none
   */
  public ImageNamer(String registry, String prefix) {
    if (registry.isBlank() || registry.contains("/")) {
      throw new IllegalArgumentException(
          "registry '" + registry + "' is not a host[:port], e.g. registry.example.com:5000");
    }
    this.registry = registry.toLowerCase(Locale.ROOT);
    this.prefix = normalisePrefix(prefix);
  }

  /**
   * The image for {@code repo} (GitHub {@code owner/name} or a git URL) at {@code commitSha} built
   * with {@code build}.
   *
   * @throws IllegalArgumentException if the repo is not a valid reference or the SHA not a full
   *     commit id
   */
  public ImageRef name(String repo, String commitSha, BuildSpec build) {
    String sha = commitSha.toLowerCase(Locale.ROOT);
    if (!COMMIT_SHA.matcher(sha).matches()) {
      throw new IllegalArgumentException(
          "'" + commitSha + "' is not a full commit SHA (40 or 64 hex digits)");
    }
    String repository = prefix + repoPath(repo);
    if (registry.length() + 1 + repository.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException(
          "image name '"
              + registry
              + "/"
              + repository
              + "' is longer than "
              + MAX_NAME_LENGTH
              + " characters; use a shorter image prefix");
    }
    return new ImageRef(registry, repository, sha + "-" + settingsHash(build));
  }

  /**
   * The repository path of a repo: {@code owner/name} for GitHub, the URL's path for other hosts,
   * the last two directories for {@code file://} URLs; lower case, each component made valid.
   */
  static String repoPath(String repo) {
    String key =
        RepoId.of(repo)
            .orElseThrow(
                () -> new IllegalArgumentException("'" + repo + "' is not a repository reference"))
            .key();
    boolean file = key.startsWith("file://");
    String path = file ? key.substring("file://".length()) : key.substring(key.indexOf('/') + 1);
    List<String> components = new ArrayList<>();
    for (String part : path.split("/")) {
      String component = sanitise(part);
      if (!component.isEmpty()) {
        components.add(component);
      }
    }
    if (file && components.size() > 2) {
      // A local path says nothing useful beyond its last two directories.
      components = components.subList(components.size() - 2, components.size());
    }
    if (components.isEmpty()) {
      throw new IllegalArgumentException("'" + repo + "' has no path to name an image after");
    }
    return String.join("/", components);
  }

  /**
   * The first 12 hex digits of a SHA-256 over a canonical encoding of the build settings. Secret
   * arguments enter by reference (secret name and key), never by value, so the tag leaks nothing
   * and rotating a secret does not rebuild.
   */
  static String settingsHash(BuildSpec build) {
    List<String> fields = new ArrayList<>();
    fields.add("branchyard-image-settings/v1");
    fields.add(build.dockerfile());
    fields.add(build.context());
    Map<String, BuildArgValue> sorted = new TreeMap<>(build.args());
    fields.add(Integer.toString(sorted.size()));
    sorted.forEach(
        (name, value) -> {
          fields.add(name);
          if (value instanceof BuildArgValue.FromSecret secret) {
            fields.add("secret");
            fields.add(secret.secret());
            fields.add(secret.key());
          } else if (value instanceof BuildArgValue.Literal literal) {
            fields.add("literal");
            fields.add(literal.value());
          }
        });
    MessageDigest sha256 = sha256();
    for (String field : fields) {
      // Length-prefixed, so no choice of values can make two different settings encode alike.
      byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
      sha256.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
      sha256.update(bytes);
    }
    return HexFormat.of().formatHex(sha256.digest()).substring(0, SETTINGS_HASH_LENGTH);
  }

  private static String sanitise(String part) {
    String lower = part.toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder();
    var runs = SEPARATOR_RUN.matcher(lower);
    int last = 0;
    while (runs.find()) {
      out.append(lower, last, runs.start());
      String run = runs.group();
      // A lone '.', '_' or '-' is a valid separator; anything else becomes one '-'.
      out.append(run.length() == 1 && ".-_".contains(run) ? run : "-");
      last = runs.end();
    }
    out.append(lower.substring(last));
    return out.toString().replaceAll("^[._-]+|[._-]+$", "");
  }

  private static String normalisePrefix(String prefix) {
    String trimmed = prefix.strip().replaceAll("^/+|/+$", "");
    if (trimmed.isEmpty()) {
      return "";
    }
    for (String component : trimmed.split("/")) {
      if (!PATH_COMPONENT.matcher(component).matches()) {
        throw new IllegalArgumentException(
            "image prefix '"
                + prefix
                + "' is not a valid repository path: use lower-case letters, digits and single"
                + " '.', '_' or '-' between them, components separated by '/'");
      }
    }
    return trimmed + "/";
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}

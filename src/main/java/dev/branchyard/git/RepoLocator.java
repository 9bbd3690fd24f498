package dev.branchyard.git;

import java.net.URI;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns a repository as a spec names it (a git URL, or GitHub {@code owner/name}) into the URL to
 * fetch from, and finds the configured credentials of that URL's host.
 */
public final class RepoLocator {

  /** GitHub's own rule for owner and repository names, so URLs and paths never match it. */
  private static final Pattern GITHUB_SHORT_NAME =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+");

  private final GitConfig config;

  public RepoLocator(GitConfig config) {
    this.config = config;
  }

  /** The URL to fetch {@code repo} from (also used by build pods that fetch it themselves). */
  public String urlOf(String repo) {
    if (!GITHUB_SHORT_NAME.matcher(repo).matches()) {
      return repo;
    }
    String base = config.githubBaseUrl().replaceAll("/+$", "");
    String name = repo.endsWith(".git") ? repo : repo + ".git";
    return base + "/" + name;
  }

  /**
   * The config key of {@code url}'s credentials, as users write it in {@code
   * branchyard.git.credentials."<key>"}: the host, or {@code host:port} for non-default ports.
   */
  Optional<String> hostKeyOf(String url) {
    return hostAndPort(url).map(hp -> hp.port() < 0 ? hp.host() : hp.host() + ":" + hp.port());
  }

  /** The credentials configured for {@code url}'s host; a {@code host:port} entry wins. */
  Optional<GitConfig.Credentials> credentialsOf(String url) {
    return hostAndPort(url)
        .flatMap(
            hp ->
                Optional.ofNullable(config.credentials().get(hp.host() + ":" + hp.port()))
                    .or(() -> Optional.ofNullable(config.credentials().get(hp.host()))));
  }

  private static Optional<HostAndPort> hostAndPort(String url) {
    try {
      URI uri = URI.create(url);
      return Optional.ofNullable(uri.getHost()).map(h -> new HostAndPort(h, uri.getPort()));
    } catch (IllegalArgumentException notAUri) {
      // scp-like "git@host:owner/name.git" and local paths: no HTTP credentials apply.
      return Optional.empty();
    }
  }

  private record HostAndPort(String host, int port) {}
}

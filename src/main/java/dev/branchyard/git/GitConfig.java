package dev.branchyard.git;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Settings of ref resolution and file reads over git, prefix {@code branchyard.git}. */
@ConfigMapping(prefix = "branchyard.git")
public interface GitConfig {

  /**
   * Where a GitHub {@code owner/name} repository lives: it becomes {@code
   * <github-base-url>/owner/name.git}. Change it for GitHub Enterprise, or to point tests at a
   * local git server. Full git URLs in specs are used as they are.
   */
  @WithDefault("https://github.com")
  String githubBaseUrl();

  /** How long to wait for a git server to accept the connection before giving up (TIMEOUT). */
  @WithDefault("5s")
  Duration connectTimeout();

  /**
   * How long to wait for a git server's next bytes once connected. A server that accepts but never
   * answers fails with TIMEOUT after this long.
   */
  @WithDefault("20s")
  Duration readTimeout();

  /**
   * How many repositories are listed at the same time when an environment's refs are resolved.
   * Bounds the threads and connections one resolution may use.
   */
  @WithDefault("8")
  int maxParallelism();

  /**
   * How long a repository's listed refs are reused. Short, so a push is seen within this long, yet
   * long enough that one reconcile (and a burst of webhooks) lists each repository once.
   */
  @WithDefault("10s")
  Duration cacheTtl();

  /**
   * Directory under which single files are fetched (in a temporary bare repository per read,
   * deleted afterwards). Defaults to the JVM's temporary directory.
   */
  Optional<Path> scratchDir();

  /**
   * The local mirrors that checkouts of a whole commit (build contexts, Helm charts) read from: see
   * {@link GitMirrors}.
   */
  Mirror mirror();

  /**
   * Credentials per git host, keyed by host name (e.g. {@code
   * branchyard.git.credentials."github.com".token}); a {@code host:port} key wins over the bare
   * host. Hosts without an entry are read anonymously.
   */
  Map<String, Credentials> credentials();

  /** How to authenticate to one git host: a token, or a username and password. */
  interface Credentials {

    /**
     * An access token (GitHub App installation token, personal access token). Sent as HTTP basic
     * {@code x-access-token:<token>}, which GitHub and most git hosts accept. Wins over
     * username/password when both are set.
     */
    Optional<String> token();

    /** The HTTP basic user name, used with {@link #password()}. */
    Optional<String> username();

    /** The HTTP basic password (or app password), used with {@link #username()}. */
    Optional<String> password();
  }

  /**
   * One bare mirror per repository, kept between checkouts: a commit is fetched once, with only the
   * objects the mirror lacks, and checked out from disk after that.
   */
  interface Mirror {

    /**
     * Keep mirrors at all. Off: every checkout fetches its commit into a new scratch repository
     * (depth 1) and deletes it afterwards.
     */
    @WithDefault("true")
    boolean enabled();

    /**
     * The directory holding the mirrors; one process uses it at a time (a second process finding it
     * in use checks out without mirrors and says so in its log). Unset: {@code
     * branchyard-git-mirrors} in the JVM temp directory.
     */
    Optional<Path> dir();

    /** How many repositories are mirrored at most; the least recently used go first. */
    @WithDefault("32")
    int maxRepos();

    /**
     * How much disk all mirrors may take together (e.g. {@code 2G}); past it, the least recently
     * used mirrors are deleted, but never the one just used.
     */
    @WithDefault("2G")
    @WithConverter(MemorySizeConverter.class)
    MemorySize maxSize();
  }
}

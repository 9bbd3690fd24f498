package dev.branchyard.git;

import dev.branchyard.git.GitAccessException.Reason;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.Proxy;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.internal.JGitText;
import org.eclipse.jgit.lib.ConfigConstants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.http.HttpConnection;
import org.eclipse.jgit.transport.http.JDKHttpConnection;
import org.eclipse.jgit.transport.http.JDKHttpConnectionFactory;

/**
 * What {@link JGitRefs} and {@link JGitFiles} share: which URL and credentials a repository uses,
 * the configured timeouts, and how JGit's failures map to {@link GitAccessException.Reason}s.
 */
final class JGitTransport {

  /** The user name GitHub (and GitLab, Gitea) expect with a token as password. */
  private static final String TOKEN_USER = "x-access-token";

  private final GitConfig config;
  private final RepoLocator locator;

  JGitTransport(GitConfig config) {
    this.config = config;
    this.locator = new RepoLocator(config);
  }

  String urlOf(String repo) {
    return locator.urlOf(repo);
  }

  /** Applies credentials and timeouts of {@code url} to a JGit command. */
  <C extends TransportCommand<C, ?>> C configure(C command, String url) {
    credentialsProviderOf(url).ifPresent(command::setCredentialsProvider);
    // JGit's own timeout is whole seconds and drives both connect and read; it is the fallback for
    // non-HTTP transports, while HTTP gets the exact durations through the connection factory.
    long seconds = Math.max(config.connectTimeout().toSeconds(), config.readTimeout().toSeconds());
    command.setTimeout((int) Math.max(1, seconds));
    command.setTransportConfigCallback(
        transport -> {
          if (transport instanceof TransportHttp http) {
            http.setHttpConnectionFactory(
                new TimeoutConnectionFactory(config.connectTimeout(), config.readTimeout()));
          }
        });
    return command;
  }

  private Optional<CredentialsProvider> credentialsProviderOf(String url) {
    return locator
        .credentialsOf(url)
        .flatMap(
            c ->
                c.token()
                    .map(token -> new UsernamePasswordCredentialsProvider(TOKEN_USER, token))
                    .or(
                        () ->
                            c.username()
                                .map(
                                    user ->
                                        new UsernamePasswordCredentialsProvider(
                                            user, c.password().orElse("")))));
  }

  /** Reads what a caller needs from one fetched commit. */
  interface CommitReader<T> {
    T read(Repository db, ObjectId commit) throws GitAccessException;
  }

  private static final String FETCHED_REF = "refs/branchyard/fetched";

  /**
   * Fetches exactly {@code commit} (depth 1, no tags, no clone) into a new bare repository at
   * {@code gitDir} and hands it to {@code reader}. The caller deletes {@code gitDir} afterwards.
   *
   * @throws IllegalArgumentException if {@code commit} is not a full 40-hex SHA
   */
  <T> T withCommit(String repo, String commit, Path gitDir, CommitReader<T> reader)
      throws GitAccessException {
    requireSha(commit);
    try (Repository db = initBare(repo, gitDir)) {
      fetchCommit(repo, db, commit, FETCHED_REF);
      try {
        return reader.read(db, ObjectId.fromString(commit));
      } catch (RuntimeException e) {
        throw failure(repo, urlOf(repo), e);
      }
    }
  }

  /**
   * Creates a bare repository at {@code gitDir} for fetched commits only, with automatic gc off.
   */
  Repository initBare(String repo, Path gitDir) throws GitAccessException {
    try (Git git = Git.init().setBare(true).setGitDir(gitDir.toFile()).call()) {
      Repository db = git.getRepository();
      // Kept open past the Git wrapper: closing the wrapper would close the repository too.
      db.incrementOpen();
      try {
        disableAutoGc(repo, db);
      } catch (GitAccessException e) {
        db.close();
        throw e;
      }
      return db;
    } catch (GitAPIException | RuntimeException e) {
      throw new GitAccessException(
          repo,
          Reason.PROTOCOL,
          "cannot create a repository at " + gitDir + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * The one fetch of the git package: exactly {@code commit} (depth 1, no tags) from {@code repo}
   * into {@code db}, kept under {@code ref}. Objects {@code db} already holds are not sent again:
   * JGit tells the server which commits it has.
   *
   * @throws IllegalArgumentException if {@code commit} is not a full 40-hex SHA
   */
  void fetchCommit(String repo, Repository db, String commit, String ref)
      throws GitAccessException {
    requireSha(commit);
    String url = urlOf(repo);
    try {
      configure(
              Git.wrap(db)
                  .fetch()
                  .setRemote(url)
                  .setRefSpecs(new RefSpec(commit + ":" + ref))
                  .setDepth(1)
                  .setTagOpt(TagOpt.NO_TAGS),
              url)
          .call();
    } catch (GitAPIException | RuntimeException e) {
      throw failure(repo, url, e);
    }
    // JGit fetches a commit named by SHA without creating the destination ref. The ref keeps the
    // commit reachable and lets a later fetch into the same repository name it as one it has.
    try {
      RefUpdate update = db.updateRef(ref);
      update.setNewObjectId(ObjectId.fromString(commit));
      update.setForceUpdate(true);
      RefUpdate.Result result = update.update();
      if (result != RefUpdate.Result.NEW
          && result != RefUpdate.Result.FORCED
          && result != RefUpdate.Result.NO_CHANGE) {
        throw new IOException("updating " + ref + " gave " + result);
      }
    } catch (IOException e) {
      throw new GitAccessException(
          repo, Reason.PROTOCOL, "cannot record the fetched commit: " + e.getMessage(), e);
    }
  }

  private static void requireSha(String commit) {
    if (!ObjectId.isId(commit)) {
      throw new IllegalArgumentException("not a full 40-hex commit SHA: " + commit);
    }
  }

  /**
   * JGit may start a background gc after a fetch; it would write into the directory while it is
   * being deleted (or read by a checkout), and what Branchyard fetches needs no compacting.
   */
  private static void disableAutoGc(String repo, Repository db) throws GitAccessException {
    try {
      StoredConfig config = db.getConfig();
      config.setInt(ConfigConstants.CONFIG_GC_SECTION, null, ConfigConstants.CONFIG_KEY_AUTO, 0);
      config.setBoolean(
          ConfigConstants.CONFIG_GC_SECTION, null, ConfigConstants.CONFIG_KEY_AUTODETACH, false);
      config.save();
    } catch (IOException e) {
      throw new GitAccessException(
          repo, Reason.PROTOCOL, "cannot configure the repository: " + e.getMessage(), e);
    }
  }

  /** Maps a JGit failure to the reason a user can act on, naming the repo and what to check. */
  GitAccessException failure(String repo, String url, Throwable error) {
    String where = withoutUserInfo(url);
    String credentialsKey =
        "branchyard.git.credentials.\"" + locator.hostKeyOf(url).orElse("<host>") + "\"";
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SocketTimeoutException) {
        return new GitAccessException(
            repo,
            Reason.TIMEOUT,
            "no answer from "
                + where
                + " within the configured timeouts (branchyard.git.connect-timeout="
                + config.connectTimeout()
                + ", branchyard.git.read-timeout="
                + config.readTimeout()
                + "); check the server is up, or raise the timeouts",
            error);
      }
      if (t instanceof ConnectException
          || t instanceof UnknownHostException
          || t instanceof NoRouteToHostException
          || t instanceof SocketException) {
        return new GitAccessException(
            repo,
            Reason.NETWORK,
            "cannot connect to "
                + where
                + " ("
                + t.getClass().getSimpleName()
                + ": "
                + t.getMessage()
                + "); check the URL and that the host is reachable from Branchyard",
            error);
      }
      if (t instanceof NoRemoteRepositoryException) {
        return new GitAccessException(
            repo,
            Reason.NOT_FOUND,
            "repository not found at "
                + where
                + "; check the name in the spec (and, for a private repository, that "
                + credentialsKey
                + " may read it)",
            error);
      }
      if (isAuthFailure(t)) {
        return new GitAccessException(
            repo,
            Reason.AUTH_FAILED,
            "authentication failed at " + where + ": check " + credentialsKey,
            error);
      }
      if (isUnknownWant(t)) {
        return new GitAccessException(
            repo,
            Reason.NOT_FOUND,
            "the commit is not on "
                + where
                + ", or the server does not allow fetching a commit by SHA"
                + " (git: uploadpack.allowReachableSHA1InWant)",
            error);
      }
    }
    return new GitAccessException(
        repo,
        Reason.PROTOCOL,
        "unexpected answer from " + where + ": " + error.getMessage(),
        error);
  }

  private static boolean isAuthFailure(Throwable t) {
    String message = String.valueOf(t.getMessage());
    // JGit reports HTTP 401/403 only through its (English by default) message texts.
    JGitText text = JGitText.get();
    return message.contains(text.notAuthorized)
        || message.contains(text.noCredentialsProvider)
        || message.contains(text.authenticationNotSupported)
        || message.contains("not permitted");
  }

  private static boolean isUnknownWant(Throwable t) {
    String message = String.valueOf(t.getMessage());
    return message.contains("not our ref")
        || message.contains("not valid")
        || message.contains("Missing commit");
  }

  static String withoutUserInfo(String url) {
    try {
      return new URIish(url).setUser(null).setPass(null).toString();
    } catch (URISyntaxException notAUrl) {
      return url;
    }
  }

  /**
   * Applies connect and read timeouts with millisecond precision: JGit itself would set both to its
   * whole-second timeout, which cannot express a short connect with a longer read.
   */
  private static final class TimeoutConnectionFactory extends JDKHttpConnectionFactory {

    private final int connectMillis;
    private final int readMillis;

    TimeoutConnectionFactory(Duration connect, Duration read) {
      this.connectMillis = (int) Math.max(1, connect.toMillis());
      this.readMillis = (int) Math.max(1, read.toMillis());
    }

    @Override
    public HttpConnection create(URL url) throws IOException {
      return new TimedConnection(url, connectMillis, readMillis);
    }

    @Override
    public HttpConnection create(URL url, Proxy proxy) throws IOException {
      return new TimedConnection(url, proxy, connectMillis, readMillis);
    }
  }

  private static final class TimedConnection extends JDKHttpConnection {

    TimedConnection(URL url, int connectMillis, int readMillis) throws IOException {
      super(url);
      super.setConnectTimeout(connectMillis);
      super.setReadTimeout(readMillis);
    }

    TimedConnection(URL url, Proxy proxy, int connectMillis, int readMillis) throws IOException {
      super(url, proxy);
      super.setConnectTimeout(connectMillis);
      super.setReadTimeout(readMillis);
    }

    @Override
    public void setConnectTimeout(int ignoredJGitSeconds) {
      // The configured duration, set in the constructor, wins.
    }

    @Override
    public void setReadTimeout(int ignoredJGitSeconds) {
      // The configured duration, set in the constructor, wins.
    }
  }
}

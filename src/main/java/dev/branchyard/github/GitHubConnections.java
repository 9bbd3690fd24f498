package dev.branchyard.github;

import java.io.IOException;
import java.net.URI;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;
import org.kohsuke.github.GHApp;
import org.kohsuke.github.GHAppInstallation;
import org.kohsuke.github.GHAppInstallationToken;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubBuilder;
import org.kohsuke.github.authorization.AuthorizationProvider;

/**
 * Authenticated github-api clients, one per credential: with a token, one client for every repo;
 * with a GitHub App, one client per installation, whose installation token is fetched with the
 * App's JWT and kept until {@code tokenRefreshBefore} ahead of its expiry. Repositories are cached
 * for a few minutes (github-api reads one before every call on it).
 */
final class GitHubConnections {

  private static final Logger LOG = Logger.getLogger(GitHubConnections.class);
  private static final Duration REPOSITORY_CACHE = Duration.ofMinutes(10);
  private static final Duration JWT_REUSE = Duration.ofMinutes(5);

  /** What Branchyard authenticates with. */
  sealed interface Credentials {
    /** Neither a token nor an App: calls fail with {@link GitHubNotConfiguredException}. */
    record None() implements Credentials {}

    /** A personal access token or similar. */
    record Token(String token) implements Credentials {
      public Token {
        Objects.requireNonNull(token, "token");
      }

      @Override
      public String toString() {
        return "Token[***]";
      }
    }

    /** A GitHub App. */
    record App(long appId, PrivateKey privateKey, Duration refreshBefore) implements Credentials {}
  }

  private final URI apiUrl;
  private final Credentials credentials;
  private final Clock clock;
  private final JdkHttpConnector connector;
  private final GitHubErrors errors;

  private final Map<String, Cached<GHRepository>> repositories = new ConcurrentHashMap<>();
  private final Map<String, Long> installations = new ConcurrentHashMap<>();
  private final Map<Long, GHAppInstallation> installationsById = new ConcurrentHashMap<>();
  private final Map<Long, GitHub> installationClients = new ConcurrentHashMap<>();
  private final Map<Long, InstallationToken> tokens = new ConcurrentHashMap<>();
  private volatile GitHub single;
  private volatile GitHub appClient;
  private volatile GHApp app;
  private volatile Cached<String> jwt;

  GitHubConnections(URI apiUrl, Credentials credentials, Duration timeout, Clock clock) {
    this.apiUrl = apiUrl;
    this.credentials = credentials;
    this.clock = clock;
    this.connector = new JdkHttpConnector(timeout);
    this.errors = new GitHubErrors(clock);
  }

  /** Reads the credentials from the configuration; a key file that cannot be read is an error. */
  static GitHubConnections fromConfig(GitHubApiConfig config, Clock clock) {
    return new GitHubConnections(
        config.apiUrl(), credentials(config), config.requestTimeout(), clock);
  }

  static Credentials credentials(GitHubApiConfig config) {
    Optional<String> pem =
        config
            .app()
            .privateKey()
            .or(
                () ->
                    config
                        .app()
                        .privateKeyFile()
                        .map(
                            file -> {
                              try {
                                return java.nio.file.Files.readString(file);
                              } catch (IOException e) {
                                throw new IllegalStateException(
                                    "cannot read branchyard.github.app.private-key-file "
                                        + file
                                        + ": "
                                        + e.getMessage(),
                                    e);
                              }
                            }));
    if (config.app().id().isPresent() && pem.isPresent()) {
      return new Credentials.App(
          config.app().id().get(),
          GitHubAppJwt.privateKey(pem.get()),
          config.app().tokenRefreshBefore());
    }
    if (config.app().id().isPresent() != pem.isPresent()) {
      LOG.warn(
          "GitHub App half configured: set both branchyard.github.app.id and"
              + " branchyard.github.app.private-key (or -file); the App is not used");
    }
    return config
        .token()
        .filter(t -> !t.isBlank())
        .<Credentials>map(Credentials.Token::new)
        .orElseGet(Credentials.None::new);
  }

  /** Whether there are credentials at all. */
  boolean configured() {
    return !(credentials instanceof Credentials.None);
  }

  /** What kind of credentials, for logs ("token", "GitHub App 123", "none"). */
  String describe() {
    if (credentials instanceof Credentials.App a) {
      return "GitHub App " + a.appId();
    }
    return credentials instanceof Credentials.Token ? "a token" : "none";
  }

  GitHubErrors errors() {
    return errors;
  }

  URI apiUrl() {
    return apiUrl;
  }

  JdkHttpConnector connector() {
    return connector;
  }

  /**
   * The repository {@code owner/name}, as the client allowed to act on it sees it.
   *
   * @throws GitHubNotConfiguredException without credentials
   * @throws GitHubNotFoundException when there is no such repository or the App is not installed on
   *     it
   * @throws GitHubUnavailableException when GitHub cannot answer now
   */
  GHRepository repository(String repo) {
    Instant now = clock.instant();
    Cached<GHRepository> cached = repositories.get(repo);
    if (cached != null && cached.until().isAfter(now)) {
      return cached.value();
    }
    GitHub client = clientFor(repo);
    try {
      GHRepository repository = client.getRepository(repo);
      repositories.put(repo, new Cached<>(repository, now.plus(REPOSITORY_CACHE)));
      return repository;
    } catch (IOException e) {
      throw errors.translate("read repository " + repo, e);
    }
  }

  /** The {@code Authorization} header value for a call on {@code repo}, for raw requests. */
  String authorization(String repo) {
    if (credentials instanceof Credentials.Token token) {
      return "token " + token.token();
    }
    if (!(credentials instanceof Credentials.App)) {
      throw new GitHubNotConfiguredException();
    }
    try {
      return "token " + installationToken(installationId(repo));
    } catch (IOException e) {
      throw errors.translate("get an installation token for " + repo, e);
    }
  }

  /** The client allowed to act on {@code repo}. */
  GitHub clientFor(String repo) {
    if (credentials instanceof Credentials.Token token) {
      return tokenClient(token);
    }
    if (credentials instanceof Credentials.App) {
      return installationClient(repo);
    }
    throw new GitHubNotConfiguredException();
  }

  private GitHub tokenClient(Credentials.Token token) {
    GitHub client = single;
    if (client == null) {
      synchronized (this) {
        if (single == null) {
          single = build(() -> "token " + token.token());
        }
        client = single;
      }
    }
    return client;
  }

  private GitHub installationClient(String repo) {
    long installation;
    try {
      installation = installationId(repo);
    } catch (IOException e) {
      throw errors.translate("find the GitHub App's installation on " + repo, e);
    }
    return installationClients.computeIfAbsent(
        installation, id -> build(() -> "token " + installationToken(id)));
  }

  private long installationId(String repo) throws IOException {
    Long known = installations.get(repo);
    if (known != null) {
      return known;
    }
    String[] parts = repo.split("/", 2);
    if (parts.length != 2) {
      throw new IllegalArgumentException("not a GitHub repository (owner/name): " + repo);
    }
    GHAppInstallation installation = app().getInstallationByRepository(parts[0], parts[1]);
    installationsById.put(installation.getId(), installation);
    installations.put(repo, installation.getId());
    return installation.getId();
  }

  /** The installation's token, fetched again {@code refreshBefore} ahead of its expiry. */
  private String installationToken(long installation) throws IOException {
    Credentials.App appCredentials = (Credentials.App) credentials;
    Instant now = clock.instant();
    InstallationToken token = tokens.get(installation);
    if (token != null && token.expiresAt().minus(appCredentials.refreshBefore()).isAfter(now)) {
      return token.token();
    }
    synchronized (tokens) {
      token = tokens.get(installation);
      if (token != null
          && token.expiresAt().minus(appCredentials.refreshBefore()).isAfter(clock.instant())) {
        return token.token();
      }
      GHAppInstallation known = installationsById.get(installation);
      if (known == null) {
        known = app().getInstallationById(installation);
        installationsById.put(installation, known);
      }
      GHAppInstallationToken created = known.createToken().create();
      InstallationToken fresh =
          new InstallationToken(created.getToken(), created.getExpiresAt().toInstant());
      tokens.put(installation, fresh);
      LOG.debugf(
          "installation token for installation %d until %s", installation, fresh.expiresAt());
      return fresh.token();
    }
  }

  private GHApp app() throws IOException {
    GHApp known = app;
    if (known != null) {
      return known;
    }
    synchronized (this) {
      if (app == null) {
        app = appClient().getApp();
      }
      return app;
    }
  }

  private GitHub appClient() {
    GitHub client = appClient;
    if (client == null) {
      synchronized (this) {
        if (appClient == null) {
          appClient = build(() -> "Bearer " + jwt());
        }
        client = appClient;
      }
    }
    return client;
  }

  private String jwt() {
    Credentials.App appCredentials = (Credentials.App) credentials;
    Instant now = clock.instant();
    Cached<String> current = jwt;
    if (current != null && current.until().isAfter(now)) {
      return current.value();
    }
    String signed = GitHubAppJwt.sign(appCredentials.appId(), appCredentials.privateKey(), now);
    jwt = new Cached<>(signed, now.plus(JWT_REUSE));
    return signed;
  }

  private GitHub build(AuthorizationProvider authorization) {
    try {
      return new GitHubBuilder()
          .withEndpoint(apiUrl.toString().replaceAll("/+$", ""))
          .withConnector(connector)
          .withAuthorizationProvider(authorization)
          .withRateLimitHandler(errors.rateLimitHandler())
          .withAbuseLimitHandler(errors.abuseLimitHandler())
          .build();
    } catch (IOException e) {
      throw errors.translate("connect to GitHub at " + apiUrl, e);
    }
  }

  private record Cached<T>(T value, Instant until) {}

  private record InstallationToken(String token, Instant expiresAt) {
    @Override
    public String toString() {
      return "InstallationToken[expiresAt=" + expiresAt + "]";
    }
  }
}

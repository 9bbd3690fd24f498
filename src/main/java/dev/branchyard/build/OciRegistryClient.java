package dev.branchyard.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.branchyard.build.RegistryException.Kind;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * {@link ImageRegistry} over the OCI distribution API with the JDK's HttpURLConnection: {@code HEAD
 * /v2/<name>/manifests/<tag>}, authenticating as registries ask to in their {@code
 * WWW-Authenticate} challenge (basic credentials, or a bearer token from the registry's token
 * service, as Docker Hub, GHCR and most hosted registries do).
 */
@ApplicationScoped
public class OciRegistryClient implements ImageRegistry {

  /** Manifests and indexes, OCI and Docker: a registry answers 404 for types not accepted. */
  static final String ACCEPT =
      String.join(
          ", ",
          "application/vnd.oci.image.manifest.v1+json",
          "application/vnd.oci.image.index.v1+json",
          "application/vnd.docker.distribution.manifest.v2+json",
          "application/vnd.docker.distribution.manifest.list.v2+json");

  // The token spec's default when a token service omits expires_in.
  static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);

  private static final Pattern HOST_AND_PORT = Pattern.compile("(\\[[^\\]]+\\]|[^:]+)(?::\\d+)?");

  private final BuildConfig config;
  private final Clock clock;
  private final ObjectMapper json = new ObjectMapper();
  private final ExpiringCache<String, String> digests;
  private final ExpiringCache<String, String> authorizations;

  public OciRegistryClient(BuildConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.digests = new ExpiringCache<>(clock, config.cacheMaxEntries());
    this.authorizations = new ExpiringCache<>(clock, config.cacheMaxEntries());
  }

  /** Registry checks answered from the cache of positive answers (for metrics). */
  public long cacheHits() {
    return digests.hits();
  }

  /** Registry checks the cache could not answer, so the registry was asked (for metrics). */
  public long cacheMisses() {
    return digests.misses();
  }

  @Override
  public Optional<String> digestOf(ImageRef image) throws RegistryException {
    Optional<String> cached = digests.get(image.reference());
    if (cached.isPresent()) {
      return cached;
    }
    URI manifest =
        baseUri(image.registry())
            .resolve("/v2/" + image.repository() + "/manifests/" + image.tag());
    String authKey = image.registry() + "/" + image.repository();
    Optional<String> authorization = authorizations.get(authKey);
    Answer response = head(image, manifest, authorization);
    if (response.statusCode() == 401) {
      authorizations.remove(authKey);
      authorization = Optional.of(authorize(image, response));
      response = head(image, manifest, authorization);
      if (response.statusCode() == 401) {
        authorizations.remove(authKey);
        throw new RegistryException(
            Kind.AUTH_FAILED,
            image.registry(),
            image.repository(),
            "the registry refused the "
                + (credentials(image.registry()).isPresent() ? "configured" : "anonymous")
                + " credentials even after authenticating; "
                + credentialsHint(image.registry()),
            null);
      }
    }
    return switch (response.statusCode()) {
      case 200 -> Optional.of(remember(image, response));
      case 404 -> Optional.empty();
      case 403 ->
          throw new RegistryException(
              Kind.AUTH_FAILED,
              image.registry(),
              image.repository(),
              "access denied (HTTP 403); give the configured user pull access to this repository",
              null);
      case 301, 302, 303, 307, 308 ->
          throw new RegistryException(
              Kind.PROTOCOL,
              image.registry(),
              image.repository(),
              "the registry redirects manifest requests to "
                  + response.header("Location").orElse("an unnamed location")
                  + "; configure the address it redirects to as branchyard.build.registry",
              null);
      default ->
          throw new RegistryException(
              Kind.PROTOCOL,
              image.registry(),
              image.repository(),
              "unexpected HTTP "
                  + response.statusCode()
                  + " for HEAD "
                  + manifest
                  + "; check the registry's health and logs",
              null);
    };
  }

  /** {@code http://} for localhost and registries configured insecure, else {@code https://}. */
  URI baseUri(String registry) {
    Matcher hostAndPort = HOST_AND_PORT.matcher(registry);
    String host = hostAndPort.matches() ? hostAndPort.group(1) : registry;
    boolean loopback = host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
    boolean insecure =
        loopback || settings(registry).map(BuildConfig.Registry::insecure).orElse(false);
    return URI.create((insecure ? "http://" : "https://") + registry + "/");
  }

  private String remember(ImageRef image, Answer response) throws RegistryException {
    String digest =
        response
            .header("Docker-Content-Digest")
            .orElseThrow(
                () ->
                    new RegistryException(
                        Kind.PROTOCOL,
                        image.registry(),
                        image.repository(),
                        "the manifest exists but the registry sent no Docker-Content-Digest"
                            + " header; it does not follow the distribution API",
                        null));
    digests.put(image.reference(), digest, clock.instant().plus(config.cacheTtl()));
    return digest;
  }

  /** Answers a 401's challenge: the Authorization header value to retry with. */
  private String authorize(ImageRef image, Answer unauthorized) throws RegistryException {
    String header = unauthorized.header("WWW-Authenticate").orElse(null);
    AuthChallenge challenge =
        AuthChallenge.parse(header)
            .orElseThrow(
                () ->
                    new RegistryException(
                        Kind.PROTOCOL,
                        image.registry(),
                        image.repository(),
                        "HTTP 401 without a usable WWW-Authenticate challenge (got "
                            + (header == null ? "none" : "'" + header + "'")
                            + ")",
                        null));
    String authKey = image.registry() + "/" + image.repository();
    if (challenge.isBasic()) {
      String basic =
          basicAuthorization(image.registry())
              .orElseThrow(
                  () ->
                      new RegistryException(
                          Kind.AUTH_FAILED,
                          image.registry(),
                          image.repository(),
                          "the registry requires credentials; " + credentialsHint(image.registry()),
                          null));
      authorizations.put(authKey, basic, Instant.MAX);
      return basic;
    }
    if (challenge.isBearer()) {
      BearerToken token = fetchToken(image, challenge);
      String bearer = "Bearer " + token.value();
      authorizations.put(authKey, bearer, clock.instant().plus(token.lifetime()));
      return bearer;
    }
    throw new RegistryException(
        Kind.PROTOCOL,
        image.registry(),
        image.repository(),
        "unsupported authentication scheme '" + challenge.scheme() + "' (basic and bearer are)",
        null);
  }

  private record BearerToken(String value, Duration lifetime) {}

  private BearerToken fetchToken(ImageRef image, AuthChallenge challenge) throws RegistryException {
    String realm =
        challenge
            .param("realm")
            .orElseThrow(
                () ->
                    new RegistryException(
                        Kind.PROTOCOL,
                        image.registry(),
                        image.repository(),
                        "bearer challenge without a realm: cannot ask for a token",
                        null));
    StringBuilder query = new StringBuilder();
    challenge.param("service").ifPresent(s -> query.append("service=").append(encode(s)));
    if (!query.isEmpty()) {
      query.append('&');
    }
    query.append("scope=").append(encode("repository:" + image.repository() + ":pull"));
    URI uri;
    try {
      uri = URI.create(realm + (realm.contains("?") ? "&" : "?") + query);
    } catch (IllegalArgumentException e) {
      throw new RegistryException(
          Kind.PROTOCOL,
          image.registry(),
          image.repository(),
          "the token realm '" + realm + "' is not a URL",
          e);
    }
    Map<String, String> headers = new TreeMap<>();
    basicAuthorization(image.registry()).ifPresent(b -> headers.put("Authorization", b));
    Answer response = send(image, "GET", uri, headers, "token service " + uri);
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      throw new RegistryException(
          Kind.AUTH_FAILED,
          image.registry(),
          image.repository(),
          "the token service "
              + realm
              + " refused a pull token (HTTP "
              + response.statusCode()
              + "); "
              + credentialsHint(image.registry()),
          null);
    }
    if (response.statusCode() != 200) {
      throw new RegistryException(
          Kind.PROTOCOL,
          image.registry(),
          image.repository(),
          "the token service " + realm + " answered HTTP " + response.statusCode(),
          null);
    }
    try {
      JsonNode body = json.readTree(response.body());
      // Docker's token spec names it "token"; OAuth2-style services send "access_token".
      String token = body.path("token").asText(body.path("access_token").asText(""));
      if (token.isEmpty()) {
        throw new IOException("no token or access_token field");
      }
      long expiresIn = body.path("expires_in").asLong(0);
      return new BearerToken(
          token, expiresIn > 0 ? Duration.ofSeconds(expiresIn) : DEFAULT_TOKEN_LIFETIME);
    } catch (IOException e) {
      throw new RegistryException(
          Kind.PROTOCOL,
          image.registry(),
          image.repository(),
          "the token service " + realm + " sent no usable token: " + e.getMessage(),
          e);
    }
  }

  private Answer head(ImageRef image, URI manifest, Optional<String> authorization)
      throws RegistryException {
    Map<String, String> headers = new TreeMap<>();
    headers.put("Accept", ACCEPT);
    authorization.ifPresent(a -> headers.put("Authorization", a));
    return send(image, "HEAD", manifest, headers, "HEAD " + manifest);
  }

  /** What an exchange with the registry or its token service gave. */
  record Answer(int statusCode, Map<String, List<String>> headers, String body) {

    Optional<String> header(String name) {
      return headers.entrySet().stream()
          .filter(h -> h.getKey() != null && h.getKey().equalsIgnoreCase(name))
          .flatMap(h -> h.getValue().stream())
          .findFirst();
    }
  }

  /**
   * One exchange over {@link HttpURLConnection}, HTTP/1.1 with the JDK's keep-alive connection
   * cache, all on the calling thread. A skip check is a tiny exchange: the JDK's {@code HttpClient}
   * handed each one between the caller and its selector thread, which cost about 1.5 ms per HEAD
   * (median) on a busy 2-core host, a third of the whole check; this does not. Never through a
   * proxy and never following redirects (a followed redirect would carry the registry's credentials
   * to another host). The body is always read to its end, so the connection is reused.
   */
  private Answer send(
      ImageRef image, String method, URI uri, Map<String, String> headers, String what)
      throws RegistryException {
    try {
      HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
      connection.setInstanceFollowRedirects(false);
      connection.setUseCaches(false);
      connection.setConnectTimeout(millis(config.connectTimeout()));
      connection.setReadTimeout(millis(config.requestTimeout()));
      connection.setRequestMethod(method);
      headers.forEach(connection::setRequestProperty);
      int status = connection.getResponseCode();
      Map<String, List<String>> answerHeaders = connection.getHeaderFields();
      InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
      String body = "";
      if (in != null) {
        try (in) {
          body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
      }
      return new Answer(status, answerHeaders, body);
    } catch (SSLException e) {
      throw new RegistryException(
          Kind.PROTOCOL,
          image.registry(),
          image.repository(),
          what
              + ": TLS failed ("
              + e.getMessage()
              + "); if the registry speaks plain HTTP, set branchyard.build.registries.\""
              + image.registry()
              + "\".insecure=true",
          e);
    } catch (ConnectException | SocketTimeoutException e) {
      throw new RegistryException(
          Kind.UNREACHABLE,
          image.registry(),
          image.repository(),
          what
              + ": "
              + (e instanceof SocketTimeoutException ? "timed out" : "connection refused")
              + "; check that the registry is running and reachable from Branchyard",
          e);
    } catch (IOException e) {
      throw new RegistryException(
          Kind.UNREACHABLE,
          image.registry(),
          image.repository(),
          what + ": " + e + "; check that the registry is running and reachable from Branchyard",
          e);
    }
  }

  private static int millis(Duration duration) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, duration.toMillis()));
  }

  private Optional<BuildConfig.Registry> settings(String registry) {
    Optional<BuildConfig.Registry> exact = Optional.ofNullable(config.registries().get(registry));
    if (exact.isPresent()) {
      return exact;
    }
    Matcher hostAndPort = HOST_AND_PORT.matcher(registry);
    return hostAndPort.matches()
        ? Optional.ofNullable(config.registries().get(hostAndPort.group(1)))
        : Optional.empty();
  }

  private Optional<BuildConfig.Registry> credentials(String registry) {
    return settings(registry).filter(s -> s.username().isPresent() && s.password().isPresent());
  }

  private Optional<String> basicAuthorization(String registry) {
    return credentials(registry)
        .map(
            s ->
                "Basic "
                    + Base64.getEncoder()
                        .encodeToString(
                            (s.username().get() + ":" + s.password().get())
                                .getBytes(StandardCharsets.UTF_8)));
  }

  private static String credentialsHint(String registry) {
    return "check branchyard.build.registries.\""
        + registry
        + "\".username and .password (a user with pull access)";
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}

package dev.branchyard.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.branchyard.build.RegistryException.Kind;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * {@link ImageRegistry} over the OCI distribution API with the JDK HTTP client: {@code HEAD
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
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();
  private final ExpiringCache<String, String> digests;
  private final ExpiringCache<String, String> authorizations;

  public OciRegistryClient(BuildConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(config.connectTimeout())
            // Never: a followed redirect would carry the registry's credentials to another host.
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
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
    HttpResponse<Void> response = head(image, manifest, authorization);
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
                  + response.headers().firstValue("Location").orElse("an unnamed location")
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

  private String remember(ImageRef image, HttpResponse<Void> response) throws RegistryException {
    String digest =
        response
            .headers()
            .firstValue("Docker-Content-Digest")
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
  private String authorize(ImageRef image, HttpResponse<Void> unauthorized)
      throws RegistryException {
    String header = unauthorized.headers().firstValue("WWW-Authenticate").orElse(null);
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
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(config.requestTimeout()).GET();
    basicAuthorization(image.registry()).ifPresent(b -> request.header("Authorization", b));
    HttpResponse<String> response =
        send(image, request.build(), HttpResponse.BodyHandlers.ofString(), "token service " + uri);
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

  private HttpResponse<Void> head(ImageRef image, URI manifest, Optional<String> authorization)
      throws RegistryException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(manifest)
            .timeout(config.requestTimeout())
            .method("HEAD", HttpRequest.BodyPublishers.noBody())
            .header("Accept", ACCEPT);
    authorization.ifPresent(a -> request.header("Authorization", a));
    return send(image, request.build(), HttpResponse.BodyHandlers.discarding(), "HEAD " + manifest);
  }

  private <T> HttpResponse<T> send(
      ImageRef image, HttpRequest request, HttpResponse.BodyHandler<T> body, String what)
      throws RegistryException {
    try {
      return http.send(request, body);
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
    } catch (ConnectException | HttpTimeoutException e) {
      throw new RegistryException(
          Kind.UNREACHABLE,
          image.registry(),
          image.repository(),
          what
              + ": "
              + (e instanceof HttpTimeoutException ? "timed out" : "connection refused")
              + "; check that the registry is running and reachable from Branchyard",
          e);
    } catch (IOException e) {
      throw new RegistryException(
          Kind.UNREACHABLE,
          image.registry(),
          image.repository(),
          what + ": " + e + "; check that the registry is running and reachable from Branchyard",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException(
          Kind.UNREACHABLE, image.registry(), image.repository(), what + ": interrupted", e);
    }
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

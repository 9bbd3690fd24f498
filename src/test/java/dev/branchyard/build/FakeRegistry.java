package dev.branchyard.build;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-process registry that authenticates as hosted registries do: {@code HEAD
 * /v2/<name>/manifests/<tag>} answers 401 with a {@code Bearer} (or {@code Basic}) challenge until
 * the request carries a token from {@code GET /token?service=...&scope=repository:<name>:pull} (or
 * the right basic credentials). A stand-in for token-auth registries such as Docker Hub and GHCR,
 * which these machines cannot reach; the local Debian registry has no auth at all.
 */
final class FakeRegistry implements AutoCloseable {

  enum Auth {
    NONE,
    BASIC,
    BEARER
  }

  static final String SERVICE = "fake-registry";

  private final HttpServer server;
  private final Map<String, String> manifests = new ConcurrentHashMap<>();
  private final List<String> validTokens = new CopyOnWriteArrayList<>();
  final List<Map<String, String>> tokenRequests = new CopyOnWriteArrayList<>();
  final List<Map<String, List<String>>> manifestRequests = new CopyOnWriteArrayList<>();
  private final AtomicInteger issued = new AtomicInteger();

  private volatile Auth auth = Auth.NONE;
  private volatile String username;
  private volatile String password;
  private volatile Optional<Integer> expiresIn = Optional.empty();
  private volatile String tokenField = "token";
  private volatile int forcedStatus;
  private volatile boolean rejectEveryToken;

  private FakeRegistry(HttpServer server) {
    this.server = server;
    server.createContext("/v2/", this::manifest);
    server.createContext("/token", this::token);
    server.start();
  }

  static FakeRegistry start() throws IOException {
    return new FakeRegistry(
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
  }

  /** {@code 127.0.0.1:<port>}, which the client speaks plain HTTP to. */
  String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  FakeRegistry withManifest(String name, String tag, String digest) {
    manifests.put(name + ":" + tag, digest);
    return this;
  }

  FakeRegistry requireBearer(String user, String pass) {
    auth = Auth.BEARER;
    username = user;
    password = pass;
    return this;
  }

  FakeRegistry requireBasic(String user, String pass) {
    auth = Auth.BASIC;
    username = user;
    password = pass;
    return this;
  }

  FakeRegistry tokensExpireIn(int seconds) {
    expiresIn = Optional.of(seconds);
    return this;
  }

  FakeRegistry tokenField(String name) {
    tokenField = name;
    return this;
  }

  /** Every manifest request answers this status, e.g. 500. */
  FakeRegistry failWith(int status) {
    forcedStatus = status;
    return this;
  }

  /** Issues tokens but refuses them, as a registry does when the token lacks pull access. */
  FakeRegistry rejectEveryToken() {
    rejectEveryToken = true;
    return this;
  }

  /** Forgets every issued token, as a registry does once they expire on its side. */
  void revokeTokens() {
    validTokens.clear();
  }

  int tokensIssued() {
    return issued.get();
  }

  private static final Pattern MANIFEST = Pattern.compile("/v2/(.+)/manifests/([^/]+)");

  private void manifest(HttpExchange exchange) throws IOException {
    try (exchange) {
      manifestRequests.add(Map.copyOf(exchange.getRequestHeaders()));
      if (forcedStatus != 0) {
        respond(exchange, forcedStatus, null);
        return;
      }
      Matcher path = MANIFEST.matcher(exchange.getRequestURI().getPath());
      if (!path.matches() || !exchange.getRequestMethod().equals("HEAD")) {
        respond(exchange, 400, null);
        return;
      }
      String name = path.group(1);
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      if (!authorized(authorization)) {
        String challenge =
            auth == Auth.BASIC
                ? "Basic realm=\"fake\""
                : "Bearer realm=\"http://"
                    + address()
                    + "/token\",service=\""
                    + SERVICE
                    + "\",scope=\"repository:"
                    + name
                    + ":pull\"";
        exchange.getResponseHeaders().add("WWW-Authenticate", challenge);
        respond(exchange, 401, null);
        return;
      }
      String digest = manifests.get(name + ":" + path.group(2));
      if (digest == null) {
        respond(exchange, 404, null);
        return;
      }
      exchange.getResponseHeaders().add("Docker-Content-Digest", digest);
      respond(exchange, 200, null);
    }
  }

  private boolean authorized(String authorization) {
    return switch (auth) {
      case NONE -> true;
      case BASIC -> basic().equals(authorization);
      case BEARER ->
          !rejectEveryToken
              && authorization != null
              && authorization.startsWith("Bearer ")
              && validTokens.contains(authorization.substring("Bearer ".length()));
    };
  }

  private void token(HttpExchange exchange) throws IOException {
    try (exchange) {
      Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      Map<String, String> request = new HashMap<>(query);
      if (authorization != null) {
        request.put("authorization", authorization);
      }
      tokenRequests.add(Map.copyOf(request));
      // Anonymous pulls are allowed; wrong credentials are not.
      if (authorization != null && !authorization.equals(basic())) {
        respond(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
        return;
      }
      String token = "tok-" + issued.incrementAndGet();
      validTokens.add(token);
      String body =
          "{\""
              + tokenField
              + "\":\""
              + token
              + "\""
              + expiresIn.map(s -> ",\"expires_in\":" + s).orElse("")
              + "}";
      respond(exchange, 200, body);
    }
  }

  private String basic() {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> params = new HashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        params.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return params;
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    if (body == null || exchange.getRequestMethod().equals("HEAD")) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Serves the bare repositories under a directory over HTTP, read-only, the way git hosts do: each
 * request runs {@code git http-backend} (git's own smart-HTTP server, a CGI program) with the CGI
 * environment; this class is only the web server in front of it. Listens on loopback only.
 *
 * <p>A repository {@code <root>/owner/name.git} is served at {@code
 * http://127.0.0.1:<port>/owner/name.git}, which is what {@code branchyard.git.github-base-url=
 * http://127.0.0.1:<port>} makes of {@code owner/name}. Pushes are refused.
 *
 * <p>Run it with the JDK's source launcher (no build needed): {@code java GitHttpServer.java
 * <root-dir> <port>}. It prints "listening on <url>" once it accepts requests, and stops on
 * SIGTERM. Used by {@code scripts/demo.sh}.
 */
public final class GitHttpServer {

  private static final long MAX_REQUEST_BYTES = 64L * 1024 * 1024;
  private static final long BACKEND_TIMEOUT_SECONDS = 300;

  private GitHttpServer() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: java GitHttpServer.java <root-dir> <port>");
      System.exit(2);
    }
    Path root = Path.of(args[0]).toRealPath();
    int port = Integer.parseInt(args[1]);
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    ExecutorService threads = Executors.newFixedThreadPool(8);
    server.createContext("/", exchange -> serve(root, exchange));
    server.setExecutor(threads);
    server.start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.stop(0);
                  threads.shutdownNow();
                }));
    System.out.println("listening on http://127.0.0.1:" + server.getAddress().getPort());
  }

  private static void serve(Path root, HttpExchange exchange) {
    try (exchange) {
      URI uri = exchange.getRequestURI();
      String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
      String path = uri.getPath();
      if (path.endsWith("/git-receive-pack") || query.contains("service=git-receive-pack")) {
        respond(exchange, 403, "this server is read-only\n");
        return;
      }
      if (path.contains("..")) {
        respond(exchange, 400, "bad path\n");
        return;
      }
      byte[] body = readBody(exchange.getRequestBody());
      if (body == null) {
        respond(exchange, 413, "request too large\n");
        return;
      }
      runBackend(root, exchange, path, query, body);
    } catch (IOException | RuntimeException e) {
      System.err.println("git http server: " + exchange.getRequestURI() + ": " + e);
    }
  }

  /** Runs {@code git http-backend} for one request and relays its CGI response. */
  private static void runBackend(
      Path root, HttpExchange exchange, String path, String query, byte[] body)
      throws IOException {
    ProcessBuilder builder = new ProcessBuilder("git", "http-backend");
    builder.redirectError(ProcessBuilder.Redirect.INHERIT);
    Map<String, String> env = builder.environment();
    env.put("GIT_PROJECT_ROOT", root.toString());
    env.put("GIT_HTTP_EXPORT_ALL", "1");
    env.put("GATEWAY_INTERFACE", "CGI/1.1");
    env.put("SERVER_PROTOCOL", "HTTP/1.1");
    env.put("REQUEST_METHOD", exchange.getRequestMethod());
    env.put("PATH_INFO", path);
    env.put("QUERY_STRING", query);
    env.put("REMOTE_ADDR", exchange.getRemoteAddress().getAddress().getHostAddress());
    env.put("CONTENT_LENGTH", Integer.toString(body.length));
    header(exchange, "Content-Type").ifPresent(v -> env.put("CONTENT_TYPE", v));
    // gzip-compressed requests, and git's wire protocol version 2, as clients ask for them.
    header(exchange, "Content-Encoding").ifPresent(v -> env.put("HTTP_CONTENT_ENCODING", v));
    header(exchange, "Git-Protocol").ifPresent(v -> env.put("GIT_PROTOCOL", v));
    Process backend = builder.start();
    Thread writer =
        new Thread(
            () -> {
              try (OutputStream in = backend.getOutputStream()) {
                in.write(body);
              } catch (IOException e) {
                // The backend stopped reading; its exit status and output tell why.
              }
            });
    writer.start();
    try (InputStream out = backend.getInputStream()) {
      int status = 200;
      for (String line = readLine(out); line != null && !line.isEmpty(); line = readLine(out)) {
        int colon = line.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String name = line.substring(0, colon).trim();
        String value = line.substring(colon + 1).trim();
        if (name.equalsIgnoreCase("Status")) {
          status = Integer.parseInt(value.split(" ")[0]);
        } else {
          exchange.getResponseHeaders().add(name, value);
        }
      }
      exchange.sendResponseHeaders(status, 0);
      try (OutputStream response = exchange.getResponseBody()) {
        out.transferTo(response);
      }
    } finally {
      try {
        if (!backend.waitFor(BACKEND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          backend.destroyForcibly();
        }
        writer.join();
      } catch (InterruptedException e) {
        backend.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  private static java.util.Optional<String> header(HttpExchange exchange, String name) {
    return java.util.Optional.ofNullable(exchange.getRequestHeaders().getFirst(name));
  }

  /** The body, or null if it is larger than {@link #MAX_REQUEST_BYTES}. */
  private static byte[] readBody(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
      body.write(buffer, 0, n);
      if (body.size() > MAX_REQUEST_BYTES) {
        return null;
      }
    }
    return body.toByteArray();
  }

  /** One CGI header line (ASCII, ends with LF or CRLF), or null at the end of the stream. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b >= 0; b = in.read()) {
      if (b == '\n') {
        String text = line.toString(StandardCharsets.US_ASCII);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      line.write(b);
      if (line.size() > 8192) {
        throw new UncheckedIOException(new IOException("CGI header line too long"));
      }
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
  }

  private static void respond(HttpExchange exchange, int status, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }
}

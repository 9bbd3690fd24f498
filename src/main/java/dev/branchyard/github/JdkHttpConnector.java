package dev.branchyard.github;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.kohsuke.github.connector.GitHubConnector;
import org.kohsuke.github.connector.GitHubConnectorRequest;
import org.kohsuke.github.connector.GitHubConnectorResponse;

/**
 * github-api's requests sent with the JDK's HTTP client, with a connect and a request timeout (the
 * library's own JDK connector has neither, and a hung request would hold a feedback worker).
 */
final class JdkHttpConnector implements GitHubConnector {

  /** Headers the JDK client sets itself and refuses from callers. */
  private static final Set<String> RESTRICTED = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);

  static {
    RESTRICTED.addAll(List.of("connection", "content-length", "expect", "host", "upgrade"));
  }

  private final HttpClient client;
  private final Duration timeout;

  JdkHttpConnector(Duration timeout) {
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.timeout = timeout;
  }

  /** The JDK client this connector sends with, for the few calls github-api has no method for. */
  HttpClient client() {
    return client;
  }

  Duration timeout() {
    return timeout;
  }

  @Override
  public GitHubConnectorResponse send(GitHubConnectorRequest request) throws IOException {
    HttpRequest.Builder builder;
    try {
      builder = HttpRequest.newBuilder(request.url().toURI()).timeout(timeout);
    } catch (URISyntaxException e) {
      throw new IOException("invalid GitHub URL " + request.url(), e);
    }
    for (Map.Entry<String, List<String>> header : request.allHeaders().entrySet()) {
      if (header.getKey() == null || RESTRICTED.contains(header.getKey())) {
        continue;
      }
      for (String value : header.getValue()) {
        builder.header(header.getKey(), value);
      }
    }
    HttpRequest.BodyPublisher body =
        request.hasBody()
            ? HttpRequest.BodyPublishers.ofByteArray(request.body().readAllBytes())
            : HttpRequest.BodyPublishers.noBody();
    builder.method(request.method(), body);
    HttpResponse<byte[]> response;
    try {
      response = client.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while calling GitHub", e);
    }
    return new Response(request, response);
  }

  private static final class Response extends GitHubConnectorResponse.ByteArrayResponse {
    private final byte[] body;

    Response(GitHubConnectorRequest request, HttpResponse<byte[]> response) {
      super(request, response.statusCode(), response.headers().map());
      this.body = response.body();
    }

    @Override
    protected InputStream rawBodyStream() {
      return new ByteArrayInputStream(body == null ? new byte[0] : body);
    }
  }
}

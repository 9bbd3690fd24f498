package dev.branchyard.github;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * The few REST calls github-api 1.330 cannot make as GitHub documents them: a reaction by comment
 * id alone, and deployment statuses ({@code in_progress}, which the library sends as {@code
 * in-progress}). Same credentials, timeouts and error mapping as every other call.
 */
final class RawRequests {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final GitHubConnections connections;

  RawRequests(GitHubConnections connections) {
    this.connections = connections;
  }

  /**
   * POSTs {@code body} as JSON to {@code path} (e.g. {@code /repos/o/r/...}) for {@code repo}.
   *
   * @throws GitHubNotFoundException on a 404
   * @throws GitHubUnavailableException and its kinds on other failures
   */
  void post(String repo, String path, Map<String, ?> body, String what) {
    URI uri = URI.create(connections.apiUrl().toString().replaceAll("/+$", "") + path);
    String json;
    try {
      json = JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write " + body + " as JSON", e);
    }
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(connections.connector().timeout())
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28")
            .header("Content-Type", "application/json")
            .header("Authorization", connections.authorization(repo))
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build();
    HttpResponse<String> response;
    try {
      response =
          connections.connector().client().send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new GitHubUnavailableException("could not " + what + ": GitHub unreachable: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GitHubUnavailableException("could not " + what + ": interrupted", e);
    }
    if (response.statusCode() / 100 != 2) {
      throw connections.errors().translate(what, response.statusCode(), response.headers().map());
    }
  }
}

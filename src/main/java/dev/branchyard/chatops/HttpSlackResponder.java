package dev.branchyard.chatops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@link SlackResponder} over HTTP: a JSON {@code POST} to the {@code response_url}, as Slack
 * documents for slash commands ({@code {"response_type":"ephemeral","text":...}}).
 */
@ApplicationScoped
public class HttpSlackResponder implements SlackResponder {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(TIMEOUT)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  @Override
  public void respond(String responseUrl, String text) {
    ObjectNode message = JSON.createObjectNode();
    message.put("response_type", "ephemeral");
    message.put("replace_original", false);
    message.put("text", text);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(responseUrl))
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json; charset=utf-8")
            .POST(HttpRequest.BodyPublishers.ofString(message.toString()))
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new SlackUnavailableException("Slack's response_url did not answer: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SlackUnavailableException("interrupted while answering Slack", e);
    }
    if (response.statusCode() / 100 != 2) {
      throw new SlackUnavailableException(
          "Slack's response_url answered " + response.statusCode() + ": " + response.body(), null);
    }
  }
}

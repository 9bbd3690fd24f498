package dev.branchyard.github;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A WireMock stand-in for api.github.com. The stubs tests register answer with bodies shaped as
 * GitHub's REST API documentation shows them (fixtures under {@code fixtures/github/}, trimmed to
 * the fields github-api reads), so the adapter is tested against GitHub's documented shapes, not
 * against a real GitHub.
 */
final class GitHubStandIn implements AutoCloseable {

  final WireMockServer server;

  GitHubStandIn() {
    server = new WireMockServer(options().dynamicPort());
    server.start();
  }

  URI apiUrl() {
    return URI.create(server.baseUrl());
  }

  /**
   * A fixture's text with {@code BASE_URL} replaced by the stand-in's URL and every other key of
   * {@code values} by its value, escaped for a JSON string.
   */
  String fixture(String name, Map<String, String> values) {
    String text;
    try (InputStream in =
        GitHubStandIn.class.getResourceAsStream("/fixtures/github/" + name + ".json")) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture fixtures/github/" + name + ".json");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    text = text.replace("BASE_URL", server.baseUrl());
    for (Map.Entry<String, String> value : values.entrySet()) {
      text = text.replace(value.getKey(), jsonEscaped(value.getValue()));
    }
    return text;
  }

  String fixture(String name) {
    return fixture(name, Map.of());
  }

  /** Requests no stub answered: each is a call the adapter made that GitHub's docs don't show. */
  List<LoggedRequest> unmatched() {
    return server.findAllUnmatchedRequests();
  }

  static String jsonEscaped(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  @Override
  public void close() {
    server.stop();
  }
}

package dev.branchyard.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.branchyard.lifecycle.EnvironmentNotFoundException;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProblemTest {

  private final ObjectMapper json = new ObjectMapper().findAndRegisterModules();

  @Test
  void serializesExtensionMembersBesideTheStandardOnes() throws Exception {
    Problem problem =
        Problem.of("invalid-request", "Invalid request", 400, "limit 0 is out of range", "/api/x")
            .with("parameter", "limit")
            .with("ignored", null);

    JsonNode node = json.readTree(json.writeValueAsString(problem));

    assertThat(node.get("type").asText())
        .isEqualTo("https://branchyard.dev/problems/invalid-request");
    assertThat(node.get("title").asText()).isEqualTo("Invalid request");
    assertThat(node.get("status").asInt()).isEqualTo(400);
    assertThat(node.get("detail").asText()).isEqualTo("limit 0 is out of range");
    assertThat(node.get("instance").asText()).isEqualTo("/api/x");
    assertThat(node.get("parameter").asText()).isEqualTo("limit");
    assertThat(iterable(node))
        .containsExactlyInAnyOrder("type", "title", "status", "detail", "instance", "parameter");
  }

  @Test
  void leavesOutAnInstanceItDoesNotKnow() throws Exception {
    JsonNode node =
        json.readTree(json.writeValueAsString(Problem.of("x", "X", 409, "detail", null)));

    assertThat(node.has("instance")).isFalse();
  }

  @Test
  void mapsAnUnknownEnvironmentTo404NamingItAndHowToList() {
    Response response =
        new ApiProblems()
            .environmentNotFound(
                new EnvironmentNotFoundException("shop-web-pr1"),
                uri("/api/environments/shop-web-pr1"));

    assertThat(response.getStatus()).isEqualTo(404);
    assertThat(response.getMediaType().toString()).isEqualTo("application/problem+json");
    Problem problem = (Problem) response.getEntity();
    assertThat(problem.detail()).contains("'shop-web-pr1'").contains("GET /api/environments");
    assertThat(problem.extensions()).containsEntry("environment", "shop-web-pr1");
    assertThat(problem.instance()).isEqualTo("/api/environments/shop-web-pr1");
  }

  @Test
  void saysWhatADurationShouldLookLike() {
    Response response =
        new ApiProblems()
            .invalidTtl(
                new dev.branchyard.lifecycle.InvalidTtlException("'2 hours' is not a duration"),
                uri("/api/environments/a/extend"));

    assertThat(response.getStatus()).isEqualTo(400);
    Problem problem = (Problem) response.getEntity();
    assertThat(problem.type()).endsWith("/invalid-duration");
    assertThat(problem.extensions().get("valid").toString()).contains("2h");
  }

  @Test
  void challengesAMissingTokenWithBearer() {
    Response response = ApiProblems.missingToken("/api/environments");

    assertThat(response.getStatus()).isEqualTo(401);
    assertThat(response.getHeaderString("WWW-Authenticate"))
        .isEqualTo("Bearer realm=\"branchyard\"");
    assertThat(((Problem) response.getEntity()).detail()).contains("Authorization: Bearer");
  }

  private static List<String> iterable(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static jakarta.ws.rs.core.UriInfo uri(String path) {
    return (jakarta.ws.rs.core.UriInfo)
        java.lang.reflect.Proxy.newProxyInstance(
            ProblemTest.class.getClassLoader(),
            new Class<?>[] {jakarta.ws.rs.core.UriInfo.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getPath" -> path;
                  case "getRequestUri" -> URI.create("http://localhost" + path);
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }
}

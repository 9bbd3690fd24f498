package dev.branchyard.web;

import dev.branchyard.build.ImageBuild;
import dev.branchyard.build.ImageBuildSpec;
import dev.branchyard.build.ImageBuildStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;

/** The image builds Branchyard knows of ({@code ImageBuild} resources), newest first. */
@Path("/api/builds")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "builds", description = "Image builds, shared by every environment needing the image")
@SecurityRequirement(name = ApiTokenAuthentication.SCHEME)
public class BuildsResource {

  private final KubernetesClient client;

  public BuildsResource(KubernetesClient client) {
    this.client = client;
  }

  /**
   * One page of builds.
   *
   * @param items the builds on this page
   * @param total how many builds pass the filter
   * @param nextCursor pass as {@code cursor} for the next page; null on the last page
   * @param next the next page's URL (also in the {@code Link} header)
   */
  public record BuildList(List<BuildView> items, int total, String nextCursor, String next) {}

  @GET
  @RolesAllowed(ApiRoles.READ)
  @Operation(
      summary = "List image builds",
      description = "Newest first; filter by phase; page with limit (1-200) and cursor.")
  public Response list(
      @RestQuery String phase,
      @RestQuery String limit,
      @RestQuery String cursor,
      @Context UriInfo uri) {
    List<BuildView> builds =
        client
            .resources(ImageBuild.class)
            .inNamespace(client.getNamespace())
            .list()
            .getItems()
            .stream()
            .map(BuildsResource::view)
            .toList();
    BuildListing.Page page = BuildListing.list(builds, phase, limit, cursor);
    String next =
        page.nextCursor()
            .map(c -> uri.getRequestUriBuilder().replaceQueryParam("cursor", c).build().toString())
            .orElse(null);
    Response.ResponseBuilder response =
        Response.ok(
            new BuildList(page.items(), page.total(), page.nextCursor().orElse(null), next));
    if (next != null) {
      response.header("Link", "<" + next + ">; rel=\"next\"");
    }
    return response.build();
  }

  static BuildView view(ImageBuild build) {
    String name = build.getMetadata().getName();
    ImageBuildSpec spec = build.getSpec();
    ImageBuildStatus status = build.getStatus();
    return new BuildView(
        name,
        spec == null ? null : spec.image(),
        spec == null ? null : spec.repo(),
        spec == null ? null : spec.commitSha(),
        status == null ? null : status.phase(),
        status == null ? null : status.queuePosition(),
        instant(build.getMetadata().getCreationTimestamp()),
        instant(status == null ? null : status.startedAt()),
        instant(status == null ? null : status.finishedAt()),
        status == null ? null : status.digest(),
        status == null ? null : status.attempts(),
        status == null ? null : status.reason(),
        status == null ? null : status.message(),
        "/api/builds/" + name + "/logs");
  }

  private static Instant instant(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}

package dev.branchyard.web;

import dev.branchyard.build.BuildLogStore;
import dev.branchyard.build.BuildNotFoundException;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response.Status;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * An image build's log, for the status page and for people with curl.
 *
 * <ul>
 *   <li>{@code GET /api/builds/{name}/logs} streams it as Server-Sent Events: one event per line
 *       (the lines kept so far, then new ones as the build writes them), then an event named {@code
 *       end} once the log is complete.
 *   <li>{@code GET /api/builds/{name}/logs?follow=false}, or with {@code Accept: text/plain}: the
 *       log as kept now, as plain text.
 * </ul>
 *
 * Both answer 404 with {@code {"error": ..., "build": ...}} when there is no such ImageBuild.
 */
@Path("/api/builds/{name}/logs")
@RolesAllowed(ApiRoles.READ)
public class BuildLogsResource {

  /** The name of the event that ends a complete log. */
  static final String END_EVENT = "end";

  private final BuildLogStore logs;

  public BuildLogsResource(BuildLogStore logs) {
    this.logs = logs;
  }

  /**
   * What went wrong.
   *
   * @param error what a person reads
   * @param build the build asked for
   */
  public record ErrorView(String error, String build) {}

  // Blocking: finding a build that does not run on this replica asks the Kubernetes API.
  @GET
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @Blocking
  public Multi<OutboundSseEvent> follow(@RestPath String name, @Context Sse sse) {
    return logs.follow(name)
        .map(line -> event(sse, null, line))
        .onCompletion()
        .continueWith(event(sse, END_EVENT, "complete"));
  }

  @GET
  @Produces(MediaType.TEXT_PLAIN)
  @Blocking
  public String text(@RestPath String name) {
    return logs.read(name);
  }

  @ServerExceptionMapper
  public RestResponse<ErrorView> unknownBuild(BuildNotFoundException e) {
    return RestResponse.ResponseBuilder.create(
            Status.NOT_FOUND, new ErrorView(e.getMessage(), e.buildName()))
        .type(MediaType.APPLICATION_JSON_TYPE)
        .build();
  }

  private static OutboundSseEvent event(Sse sse, String name, String data) {
    return sse.newEventBuilder().name(name).data(String.class, data).build();
  }
}

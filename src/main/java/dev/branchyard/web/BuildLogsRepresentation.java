package dev.branchyard.web;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Picks the representation of a build log before routing, since Jakarta REST chooses between
 * methods by {@code Accept} alone: {@code ?follow=false} asks for the plain text, and a client that
 * names neither plain text nor an event stream (curl, which accepts any type) gets the stream.
 */
public class BuildLogsRepresentation {

  private static final Pattern LOGS = Pattern.compile("/?api/builds/[^/]+/logs/?");

  @ServerRequestFilter(preMatching = true)
  public void choose(ContainerRequestContext request) {
    if (!LOGS.matcher(request.getUriInfo().getPath()).matches()) {
      return;
    }
    String follow = request.getUriInfo().getQueryParameters().getFirst("follow");
    String accept = request.getHeaderString(HttpHeaders.ACCEPT);
    if ("false".equalsIgnoreCase(follow)) {
      request.getHeaders().putSingle(HttpHeaders.ACCEPT, MediaType.TEXT_PLAIN);
    } else if (accept == null
        || !(accept.contains(MediaType.TEXT_PLAIN)
            || accept.contains(MediaType.SERVER_SENT_EVENTS))) {
      request.getHeaders().putSingle(HttpHeaders.ACCEPT, MediaType.SERVER_SENT_EVENTS);
    }
  }
}

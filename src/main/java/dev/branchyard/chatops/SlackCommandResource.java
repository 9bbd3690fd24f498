package dev.branchyard.chatops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;

/**
 * {@code POST /slack/commands}: the request URL of the Slack app's {@code /branchyard} slash
 * command. The raw body is read as bytes, since Slack signs exactly those; untrusted requests get
 * {@code 401} with the reason in plain text, trusted ones {@code 200} with Slack's ephemeral
 * message shape, at once.
 */
@Path("/slack/commands")
public class SlackCommandResource {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final SlackCommands commands;

  public SlackCommandResource(SlackCommands commands) {
    this.commands = commands;
  }

  @POST
  @Consumes(MediaType.WILDCARD)
  public Response command(
      @HeaderParam(SlackSignature.TIMESTAMP_HEADER) String timestamp,
      @HeaderParam(SlackSignature.SIGNATURE_HEADER) String signature,
      byte[] body) {
    SlackCommands.Answer answer =
        commands.take(
            Optional.ofNullable(timestamp),
            Optional.ofNullable(signature),
            body == null ? new byte[0] : body);
    if (answer instanceof SlackCommands.Rejected rejected) {
      return Response.status(Response.Status.UNAUTHORIZED)
          .type(MediaType.TEXT_PLAIN_TYPE)
          .entity(rejected.reason())
          .build();
    }
    String text = ((SlackCommands.Acknowledged) answer).text();
    if (text.isEmpty()) {
      return Response.ok().build();
    }
    ObjectNode message = JSON.createObjectNode();
    message.put("response_type", "ephemeral");
    message.put("text", text);
    return Response.ok(message.toString(), MediaType.APPLICATION_JSON_TYPE).build();
  }
}

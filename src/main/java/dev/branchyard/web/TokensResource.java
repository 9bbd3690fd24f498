package dev.branchyard.web;

import dev.branchyard.web.ApiTokens.Minted;
import dev.branchyard.web.ApiTokens.StoredToken;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

/**
 * API tokens, for admins: mint one (the token is in the answer, once), list them (names and scopes,
 * never the tokens), revoke one. {@code scripts/api-token.sh} does the same without the API, for
 * the first admin token.
 */
@Path("/api/tokens")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(ApiRoles.ADMIN)
@Tag(name = "tokens", description = "API tokens (admin scope)")
@SecurityRequirement(name = ApiTokenAuthentication.SCHEME)
public class TokensResource {

  private final ApiTokenStore store;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public TokensResource(ApiTokenStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /**
   * @param name who or what will hold the token, e.g. {@code ci}
   * @param scope {@code read}, {@code write} or {@code admin}
   */
  public record MintToken(String name, String scope) {}

  /**
   * A token, without its secret part.
   *
   * @param name its name
   * @param scope what it may do
   * @param createdAt when it was minted, when known
   */
  public record TokenInfo(String name, String scope, Instant createdAt) {
    static TokenInfo of(StoredToken stored) {
      return new TokenInfo(stored.name(), stored.scope().text(), stored.createdAt().orElse(null));
    }
  }

  /**
   * A minted token.
   *
   * @param name its name
   * @param scope what it may do
   * @param token the token: send it as {@code Authorization: Bearer <token>}; shown only now
   */
  public record MintedToken(String name, String scope, String token) {}

  @GET
  @Operation(summary = "List API tokens (names and scopes only)")
  public List<TokenInfo> list() {
    return store.all().stream()
        .sorted(Comparator.comparing(StoredToken::name))
        .map(TokenInfo::of)
        .toList();
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Mint an API token; the answer holds the token, shown only this once")
  public Response mint(MintToken body) {
    if (body == null) {
      throw new InvalidQueryException(
          "body", "send a JSON body like {\"name\": \"ci\", \"scope\": \"write\"}");
    }
    ApiScope scope = ApiScope.parse(body.scope());
    Minted minted = ApiTokens.mint(body.name(), scope, random, clock.instant());
    store.save(minted.stored());
    return Response.created(URI.create("/api/tokens/" + body.name()))
        .entity(new MintedToken(body.name(), scope.text(), minted.token()))
        .build();
  }

  @DELETE
  @Path("/{name}")
  @Operation(summary = "Revoke an API token")
  public Response revoke(@RestPath String name) {
    if (!store.revoke(name)) {
      throw new ApiProblemException(
          Problem.of(
                  "token-not-found",
                  "Token not found",
                  404,
                  "There is no API token named '"
                      + name
                      + "' in the Secret (tokens given in configuration are removed there). GET"
                      + " /api/tokens lists them.",
                  null)
              .with("token", name));
    }
    return Response.noContent().build();
  }
}

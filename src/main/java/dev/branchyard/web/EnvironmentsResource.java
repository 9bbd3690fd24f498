package dev.branchyard.web;

import dev.branchyard.git.GitAccessException;
import dev.branchyard.git.GitRefs;
import dev.branchyard.github.PullRequestLookup;
import dev.branchyard.github.PullRequestLookup.PullRequestInfo;
import dev.branchyard.lifecycle.EnvironmentNotFoundException;
import dev.branchyard.lifecycle.EnvironmentRequests;
import dev.branchyard.lifecycle.EnvironmentRequests.Selector;
import dev.branchyard.lifecycle.EnvironmentRequests.Upsert;
import dev.branchyard.lifecycle.EnvironmentRequests.Upserted;
import dev.branchyard.lifecycle.InvalidTtlException;
import dev.branchyard.lifecycle.KubernetesEnvironmentRequests;
import dev.branchyard.lifecycle.Trigger;
import dev.branchyard.lifecycle.TriggerSource;
import dev.branchyard.lifecycle.TtlPolicy;
import dev.branchyard.spec.ClosestName;
import dev.branchyard.spec.DurationText;
import dev.branchyard.spec.LoadedSpec;
import dev.branchyard.spec.SpecCatalog;
import dev.branchyard.web.EnvironmentListing.Page;
import dev.branchyard.web.EnvironmentListing.Query;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * Environments over REST: list, read, create (or move to a new head), destroy, extend, rebuild.
 * Every change goes through {@link EnvironmentRequests} and returns at once; the controller does
 * the work, and the environment's {@code phase} shows how it goes.
 */
@Path("/api/environments")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "environments", description = "Ephemeral environments: one per pull request or branch")
@SecurityRequirement(name = ApiTokenAuthentication.SCHEME)
public class EnvironmentsResource {

  private static final Pattern FULL_SHA = Pattern.compile("[0-9a-f]{40}");

  private final EnvironmentRequests requests;
  private final SpecCatalog catalog;
  private final GitRefs gitRefs;
  private final Instance<PullRequestLookup> pullRequests;
  private final SecurityIdentity identity;
  private final Clock clock;

  public EnvironmentsResource(
      EnvironmentRequests requests,
      SpecCatalog catalog,
      GitRefs gitRefs,
      Instance<PullRequestLookup> pullRequests,
      SecurityIdentity identity,
      Clock clock) {
    this.requests = requests;
    this.catalog = catalog;
    this.gitRefs = gitRefs;
    this.pullRequests = pullRequests;
    this.identity = identity;
    this.clock = clock;
  }

  /**
   * One page of environments.
   *
   * @param items the environments on this page
   * @param total how many environments pass the filters, on all pages
   * @param nextCursor pass as {@code cursor} for the next page; null on the last page
   * @param next the URL of the next page (also in the {@code Link} header); null on the last page
   */
  public record EnvironmentList(
      List<EnvironmentSummary> items, int total, String nextCursor, String next) {}

  /**
   * Ask for an environment of a stack for a pull request or a branch.
   *
   * @param spec the stack (a spec name from {@code GET /api/specs})
   * @param repo the triggering repository, {@code owner/name} or a git URL
   * @param pullRequest the pull request number; or give {@code branch}
   * @param branch the branch to follow, when there is no pull request (the PR's head branch else)
   * @param baseBranch the base branch other repos fall back to
   * @param sha the exact commit of {@code repo} to deploy; looked up when left out
   * @param ttl how long the environment lives, e.g. {@code 8h}; the stack's default when left out
   */
  public record CreateEnvironment(
      String spec,
      String repo,
      Integer pullRequest,
      String branch,
      String baseBranch,
      String sha,
      String ttl) {}

  /**
   * What a create did.
   *
   * @param name the environment's name
   * @param outcome {@code CREATED}, {@code UPDATED} (moved to the new head), {@code UNCHANGED}
   * @param headSha the commit of the triggering repo asked for
   * @param href where to follow it
   */
  public record Requested(String name, Upserted.Outcome outcome, String headSha, String href) {}

  /**
   * @param duration how much longer, e.g. {@code 2h} or {@code 1h30m}
   */
  public record Extend(String duration) {}

  /**
   * @param name the environment
   * @param expiresAt its new expiry
   */
  public record Extended(String name, Instant expiresAt) {}

  /**
   * @param component the component whose image to rebuild; every component when left out
   */
  public record Rebuild(String component) {}

  /**
   * A change was recorded; the controller carries it out.
   *
   * @param name the environment
   * @param message what will happen
   */
  public record Accepted(String name, String message) {}

  @GET
  @RolesAllowed(ApiRoles.READ)
  @Operation(
      summary = "List environments",
      description =
          "Filter by spec, repo, author and phase (comma-separated); sort by created, expires or"
              + " name ('-' first for descending, default -created); page with limit (1-200,"
              + " default 50) and the cursor of the previous page.")
  @APIResponse(responseCode = "200", description = "A page of environments")
  @APIResponse(
      responseCode = "400",
      description = "An invalid filter, sort, limit or cursor",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  public Response list(
      @RestQuery String spec,
      @RestQuery String repo,
      @RestQuery String author,
      @RestQuery String phase,
      @RestQuery String sort,
      @RestQuery String limit,
      @RestQuery String cursor,
      @Context UriInfo uri) {
    Query query = Query.parse(spec, repo, author, phase, sort, limit, cursor);
    Selector selector = new Selector(query.spec(), Optional.empty(), Optional.empty());
    List<EnvironmentView> views =
        requests.find(selector).stream().map(EnvironmentViews::of).toList();
    Page page = EnvironmentListing.list(views, query);
    String next =
        page.nextCursor()
            .map(c -> uri.getRequestUriBuilder().replaceQueryParam("cursor", c).build())
            .map(URI::toString)
            .orElse(null);
    Response.ResponseBuilder response =
        Response.ok(
            new EnvironmentList(
                page.items().stream().map(EnvironmentSummary::of).toList(),
                page.total(),
                page.nextCursor().orElse(null),
                next));
    if (next != null) {
      response.header("Link", "<" + next + ">; rel=\"next\"");
    }
    return response.build();
  }

  @GET
  @Path("/{name}")
  @RolesAllowed(ApiRoles.READ)
  @Operation(summary = "One environment, with its components, conditions and timeline")
  @APIResponse(responseCode = "200", description = "The environment")
  @APIResponse(
      responseCode = "404",
      description = "No such environment",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  public EnvironmentView get(@RestPath String name) {
    return requests
        .get(name)
        .map(EnvironmentViews::of)
        .orElseThrow(() -> new EnvironmentNotFoundException(name));
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed(ApiRoles.WRITE)
  @Operation(
      summary = "Create an environment, or move it to a new head",
      description =
          "For a pull request (pullRequest) or a branch (branch) of repo. Without sha, the head"
              + " commit is looked up (the branch's head, or the pull request's on GitHub).")
  @APIResponse(responseCode = "201", description = "Created")
  @APIResponse(responseCode = "200", description = "Already there: moved to the head, or unchanged")
  @APIResponse(
      responseCode = "400",
      description = "Unknown spec, missing repo, neither pull request nor branch, bad ttl or sha",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  public Response create(CreateEnvironment body) {
    if (body == null) {
      throw new InvalidQueryException(
          "body",
          "send a JSON body like {\"spec\": \"shop\", \"repo\": \"acme/web\", \"pullRequest\": 42}");
    }
    LoadedSpec loaded = spec(body.spec());
    String repo =
        required(body.repo(), "repo", "the triggering repository, owner/name or a git URL");
    if (body.pullRequest() == null && blank(body.branch())) {
      throw new InvalidQueryException(
          "pullRequest",
          "give pullRequest (a number) for a pull request environment, or branch for one that"
              + " follows a branch");
    }
    if (body.pullRequest() != null && body.pullRequest() < 1) {
      throw new InvalidQueryException(
          "pullRequest", "pullRequest " + body.pullRequest() + " is not a pull request number");
    }
    Optional<String> ttl = Optional.ofNullable(body.ttl()).filter(t -> !t.isBlank());
    ttl.ifPresent(TtlPolicy::parse);
    Trigger trigger = trigger(loaded, repo, body);
    Upserted upserted;
    try {
      upserted = requests.upsert(new Upsert(loaded.name(), trigger, ttl, clock.instant()));
    } catch (IllegalStateException e) {
      throw new ApiProblemException(
          Problem.of(
              "environment-deleting", "Environment being torn down", 409, e.getMessage(), null));
    }
    String href = "/api/environments/" + upserted.name();
    Requested result = new Requested(upserted.name(), upserted.outcome(), trigger.headSha(), href);
    return upserted.outcome() == Upserted.Outcome.CREATED
        ? Response.created(URI.create(href)).entity(result).build()
        : Response.ok(result).build();
  }

  @DELETE
  @Path("/{name}")
  @RolesAllowed(ApiRoles.WRITE)
  @Operation(summary = "Destroy an environment (its namespace is torn down)")
  @APIResponse(responseCode = "202", description = "Deletion requested")
  @APIResponse(
      responseCode = "404",
      description = "No such environment",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  public Response destroy(@RestPath String name) {
    if (!requests.destroy(name, "destroyed through the API", who())) {
      throw new EnvironmentNotFoundException(name);
    }
    return Response.accepted(
            new Accepted(name, "deletion requested; the namespace is torn down in the background"))
        .build();
  }

  @POST
  @Path("/{name}/extend")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed(ApiRoles.WRITE)
  @Operation(summary = "Move the expiry later, within the stack's max TTL")
  @APIResponse(responseCode = "200", description = "The new expiry")
  @APIResponse(
      responseCode = "400",
      description = "Not a duration",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  @APIResponse(
      responseCode = "422",
      description = "Beyond the stack's max TTL; says how much is still possible",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  public Extended extend(@RestPath String name, Extend body) {
    String text = body == null ? null : body.duration();
    if (blank(text)) {
      throw new InvalidTtlException(
          "give the extension as {\"duration\": \"2h\"}: a positive duration like 30m, 2h,"
              + " 1h30m or 1d");
    }
    Duration by =
        DurationText.parse(text)
            .filter(d -> !d.isZero())
            .orElseThrow(
                () ->
                    new InvalidTtlException(
                        "'"
                            + text
                            + "' is not a positive duration: write it like 30m, 2h, 1h30m or 1d"
                            + " (units d, h, m, s, largest first)"));
    return new Extended(name, requests.extend(name, by, who()));
  }

  @POST
  @Path("/{name}/rebuild")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed(ApiRoles.WRITE)
  @Operation(summary = "Rebuild one component's image (or all) and re-apply")
  @APIResponse(responseCode = "202", description = "Rebuild requested")
  @APIResponse(
      responseCode = "400",
      description = "The stack has no such component",
      content =
          @Content(
              mediaType = Problem.MEDIA_TYPE,
              schema = @Schema(implementation = Problem.class)))
  public Response rebuild(@RestPath String name, Rebuild body) {
    Optional<String> component =
        Optional.ofNullable(body).map(Rebuild::component).filter(c -> !c.isBlank());
    try {
      requests.rebuild(name, component, who());
    } catch (IllegalArgumentException e) {
      throw new InvalidQueryException("component", e.getMessage());
    }
    return Response.accepted(
            new Accepted(
                name,
                "rebuild of "
                    + component.orElse("every component")
                    + " requested; the images are built again and re-applied"))
        .build();
  }

  private LoadedSpec spec(String name) {
    String wanted = required(name, "spec", "the stack's name, as GET /api/specs lists them");
    return catalog
        .get(wanted)
        .orElseThrow(
            () -> {
              List<String> known = catalog.all().stream().map(LoadedSpec::name).sorted().toList();
              String hint =
                  ClosestName.among(wanted, known)
                      .map(c -> " Did you mean '" + c + "'?")
                      .orElse("");
              return new InvalidQueryException(
                  "spec",
                  "there is no spec named '"
                      + wanted
                      + "'."
                      + hint
                      + " Known specs: "
                      + (known.isEmpty() ? "none loaded" : String.join(", ", known))
                      + " (GET /api/specs).");
            });
  }

  /** The trigger, with the head commit looked up when not given. */
  private Trigger trigger(LoadedSpec loaded, String repo, CreateEnvironment body) {
    String sha = body.sha() == null ? null : body.sha().strip().toLowerCase(Locale.ROOT);
    if (sha != null && !sha.isEmpty() && !FULL_SHA.matcher(sha).matches()) {
      throw new InvalidQueryException(
          "sha", "sha '" + body.sha() + "' is not a full commit SHA (40 hex characters)");
    }
    String branch = blank(body.branch()) ? null : body.branch().strip();
    String baseBranch = blank(body.baseBranch()) ? null : body.baseBranch().strip();
    String author = who();
    boolean fork = false;
    if (body.pullRequest() != null && (blank(sha) || branch == null)) {
      PullRequestInfo info = pullRequest(repo, body.pullRequest());
      sha = blank(sha) ? info.headSha() : sha;
      branch = branch == null ? info.branch() : branch;
      baseBranch = baseBranch == null ? info.baseBranch() : baseBranch;
      fork = info.fork();
    } else if (blank(sha)) {
      sha = branchHead(repo, branch);
    }
    Trigger trigger =
        new Trigger(
            TriggerSource.Api, repo, body.pullRequest(), branch, baseBranch, sha, author, fork);
    // Fails early, naming what is missing, instead of in the controller.
    KubernetesEnvironmentRequests.nameFor(loaded.name(), trigger);
    return trigger;
  }

  private PullRequestInfo pullRequest(String repo, int number) {
    if (!pullRequests.isResolvable()) {
      throw new InvalidQueryException(
          "sha",
          "this Branchyard has no GitHub access to look up pull request #"
              + number
              + "; give its head commit as sha (and its branch)");
    }
    try {
      return pullRequests.get().pullRequest(repo, number);
    } catch (PullRequestLookup.PullRequestNotFoundException e) {
      throw new InvalidQueryException("pullRequest", e.getMessage());
    }
  }

  private String branchHead(String repo, String branch) {
    try {
      var branches = gitRefs.list(repo).branches();
      String sha = branches.get(branch);
      if (sha == null) {
        throw new InvalidQueryException(
            "branch",
            "repository "
                + repo
                + " has no branch '"
                + branch
                + "'"
                + ClosestName.among(branch, branches.keySet())
                    .map(c -> "; did you mean '" + c + "'?")
                    .orElse(
                        "; its branches: "
                            + branches.keySet().stream()
                                .sorted()
                                .limit(20)
                                .collect(Collectors.joining(", "))));
      }
      return sha;
    } catch (GitAccessException e) {
      throw new ApiProblemException(
          Problem.of("repository-unreadable", "Repository unreadable", 502, e.getMessage(), null)
              .with("repo", repo));
    }
  }

  private String who() {
    return identity.isAnonymous() ? "anonymous" : identity.getPrincipal().getName();
  }

  private static String required(String value, String field, String what) {
    if (blank(value)) {
      throw new InvalidQueryException(field, field + " is required: " + what);
    }
    return value.strip();
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }
}

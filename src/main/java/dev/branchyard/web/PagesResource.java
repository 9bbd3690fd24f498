package dev.branchyard.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.branchyard.lifecycle.Environment;
import dev.branchyard.lifecycle.EnvironmentNotFoundException;
import dev.branchyard.lifecycle.EnvironmentRequests;
import dev.branchyard.lifecycle.EnvironmentRequests.Selector;
import dev.branchyard.lifecycle.ExtensionRefusedException;
import dev.branchyard.lifecycle.InvalidTtlException;
import dev.branchyard.lifecycle.TtlPolicy;
import dev.branchyard.web.ActionPolicy.Verdict;
import dev.branchyard.web.EnvironmentView.ComponentView;
import io.quarkus.oidc.OidcSession;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * The status pages: the environments list ({@code /} and {@code /environments}), one page per
 * environment ({@code /environments/{name}}), their live updates as Server-Sent Events ({@code
 * .../events}), the actions' form endpoints (extend, rebuild, destroy: logged-in users with write
 * permission on the repository, CSRF-checked) and the GitHub login ({@code /login}, {@code
 * /logout}). Pages are rendered on the server; the little JavaScript they carry only applies live
 * updates, follows build logs and counts down the TTL.
 */
@Path("/")
public class PagesResource {

  static final String HTML = "text/html;charset=UTF-8";

  /** Live updates of the list are sent at most this often. */
  private static final Duration LIST_COALESCE = Duration.ofMillis(250);

  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private final EnvironmentRequests requests;
  private final EnvironmentWorkloads workloads;
  private final EnvironmentWatch watch;
  private final PageRenderer renderer;
  private final PageSecurity security;
  private final LoginSettings login;
  private final PagesConfig config;
  private final SecurityIdentity identity;
  private final OidcSession session;
  private final ObjectMapper json;
  private final Clock clock;

  public PagesResource(
      EnvironmentRequests requests,
      EnvironmentWorkloads workloads,
      EnvironmentWatch watch,
      PageRenderer renderer,
      PageSecurity security,
      LoginSettings login,
      PagesConfig config,
      SecurityIdentity identity,
      OidcSession session,
      ObjectMapper json,
      Clock clock) {
    this.requests = requests;
    this.workloads = workloads;
    this.watch = watch;
    this.renderer = renderer;
    this.security = security;
    this.login = login;
    this.config = config;
    this.identity = identity;
    this.session = session;
    this.json = json;
    this.clock = clock;
  }

  // ---- the list -------------------------------------------------------------------------------

  @GET
  @Produces(MediaType.TEXT_HTML)
  public Response home(
      @RestQuery String spec,
      @RestQuery String repo,
      @RestQuery String author,
      @RestQuery String phase,
      @RestQuery String sort,
      @RestQuery String cursor,
      @RestQuery String destroyed) {
    return list(spec, repo, author, phase, sort, cursor, destroyed);
  }

  @GET
  @Path("environments")
  @Produces(MediaType.TEXT_HTML)
  public Response list(
      @RestQuery String spec,
      @RestQuery String repo,
      @RestQuery String author,
      @RestQuery String phase,
      @RestQuery String sort,
      @RestQuery String cursor,
      @RestQuery String destroyed) {
    PageViewer viewer = viewer();
    Map<String, String> raw = raw(spec, repo, author, phase, sort);
    Optional<Response> gate = readGate(viewer, "/environments");
    if (gate.isPresent()) {
      return gate.get();
    }
    String notice =
        destroyed != null && NAME.matcher(destroyed).matches()
            ? "Deletion of " + destroyed + " requested; its namespace is being torn down."
            : null;
    EnvironmentListing.Query query;
    ListPage page;
    try {
      query = query(spec, repo, author, phase, sort, cursor);
      List<EnvironmentView> views =
          requests.find(Selector.all()).stream().map(EnvironmentViews::of).toList();
      page = ListPages.of(EnvironmentListing.list(views, query), query, raw, clock.instant());
    } catch (InvalidQueryException e) {
      return html(
          400,
          renderer.list(
              ListPages.invalid(raw, e.getMessage()),
              chrome(viewer, "/environments", null, null, null)),
          0);
    }
    long start = System.nanoTime();
    String body =
        renderer.list(page, chrome(viewer, "/environments", notice, "ok", page.liveUrl()));
    return html(200, body, System.nanoTime() - start);
  }

  @GET
  @Path("environments/events")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @Blocking
  public Multi<OutboundSseEvent> listEvents(
      @RestQuery String spec,
      @RestQuery String repo,
      @RestQuery String author,
      @RestQuery String phase,
      @RestQuery String sort,
      @RestQuery String cursor,
      @Context Sse sse) {
    requireRead(viewer());
    EnvironmentListing.Query query;
    try {
      query = query(spec, repo, author, phase, sort, cursor);
    } catch (InvalidQueryException e) {
      throw new WebApplicationException(e.getMessage(), 400);
    }
    Map<String, String> raw = raw(spec, repo, author, phase, sort);
    AtomicReference<EnvironmentListing.Page> last = new AtomicReference<>();
    return watch
        .changes()
        .group()
        .intoLists()
        .every(LIST_COALESCE)
        .filter(changes -> !changes.isEmpty())
        .emitOn(Infrastructure.getDefaultWorkerPool())
        .map(
            changes -> {
              List<EnvironmentView> views =
                  watch.current().stream().map(EnvironmentViews::of).toList();
              EnvironmentListing.Page listing = EnvironmentListing.list(views, query);
              if (listing.equals(last.getAndSet(listing))) {
                return Optional.<OutboundSseEvent>empty();
              }
              ListPage page = ListPages.of(listing, query, raw, clock.instant());
              return Optional.of(update(sse, renderer.listFragments(page), Map.of(), null));
            })
        .filter(Optional::isPresent)
        .map(Optional::get);
  }

  // ---- one environment ------------------------------------------------------------------------

  @GET
  @Path("environments/{name}")
  @Produces(MediaType.TEXT_HTML)
  public Response environment(@RestPath String name, @RestQuery String done) {
    PageViewer viewer = viewer();
    String path = "/environments/" + name;
    Optional<Response> gate = readGate(viewer, path);
    if (gate.isPresent()) {
      return gate.get();
    }
    String notice =
        switch (Objects.requireNonNullElse(done, "")) {
          case "extended" -> "Extension recorded; the new expiry is shown below.";
          case "rebuilt" ->
              "Rebuild requested: the images are built again and the environment re-applied.";
          default -> null;
        };
    return environmentPage(viewer, name, 200, notice, "ok");
  }

  @GET
  @Path("environments/{name}/events")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @Blocking
  public Multi<OutboundSseEvent> environmentEvents(
      @RestPath String name, @RestQuery String since, @Context Sse sse) {
    requireRead(viewer());
    Multi<EnvironmentWatch.Change> changes = watch.changes();
    Optional<Environment> initial = requests.get(name);
    LiveEnvironment live = new LiveEnvironment(sse, initial.orElse(null));
    if (initial.isPresent()
        && Objects.equals(since, initial.get().getMetadata().getResourceVersion())) {
      // The page shows this version already: only what changes from here on is sent.
      live.render(initial);
    }
    Multi<Optional<Environment>> first = Multi.createFrom().item(initial);
    Multi<Optional<Environment>> updates =
        changes.filter(c -> c.name().equals(name)).map(EnvironmentWatch.Change::environment);
    Multi<Optional<Environment>> refresh =
        Multi.createFrom()
            .ticks()
            .every(config.workloadRefresh())
            .map(tick -> live.latest())
            .filter(Optional::isPresent);
    return Multi.createBy()
        .merging()
        .streams(first, updates, refresh)
        .emitOn(Infrastructure.getDefaultWorkerPool())
        .map(live::render)
        .filter(Optional::isPresent)
        .map(Optional::get);
  }

  /** The state of one open page's live updates: what it shows, so only changes are sent. */
  private final class LiveEnvironment {
    private final Sse sse;
    private final AtomicReference<Environment> latest;
    private static final Object GONE = new Object();
    private final AtomicReference<Object> shown = new AtomicReference<>();
    private final AtomicReference<String> phase = new AtomicReference<>();

    LiveEnvironment(Sse sse, Environment initial) {
      this.sse = sse;
      this.latest = new AtomicReference<>(initial);
      this.phase.set(initial == null ? null : EnvironmentViews.of(initial).phase().name());
    }

    Optional<Environment> latest() {
      return Optional.ofNullable(latest.get());
    }

    synchronized Optional<OutboundSseEvent> render(Optional<Environment> update) {
      if (update.isEmpty()) {
        if (shown.getAndSet(GONE) == GONE) {
          return Optional.empty();
        }
        latest.set(null);
        return Optional.of(
            sse.newEventBuilder()
                .name("gone")
                .data(String.class, "This environment is gone: it was destroyed or expired.")
                .build());
      }
      Environment environment = update.get();
      latest.set(environment);
      EnvironmentView view = EnvironmentViews.of(environment);
      Workloads running = workloads.observe(view.namespace());
      Optional<Instant> extendedTo = extendedTo(environment);
      List<Object> key = List.of(view, extendedTo, running);
      if (key.equals(shown.getAndSet(key))) {
        return Optional.empty();
      }
      EnvironmentPage page = EnvironmentPages.of(view, extendedTo, running, clock.instant());
      String before = phase.getAndSet(page.phase());
      String announce =
          page.phase().equals(before)
              ? null
              : page.name()
                  + " is now "
                  + page.phase()
                  + (page.message() == null ? "" : ": " + page.message());
      return Optional.of(
          update(
              sse,
              renderer.environmentFragments(page),
              Map.of("builds", page.buildsKey()),
              announce));
    }
  }

  // ---- actions --------------------------------------------------------------------------------

  @POST
  @Path("environments/{name}/extend")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Produces(MediaType.TEXT_HTML)
  public Response extend(@RestPath String name, @RestForm String csrf, @RestForm String by) {
    return act(
        name,
        csrf,
        who -> {
          Duration duration =
              TtlPolicy.parse(by)
                  .orElseThrow(
                      () -> new InvalidTtlException("say how long to extend by, e.g. 4h or 1h30m"));
          requests.extend(name, duration, who);
          return "/environments/" + name + "?done=extended";
        });
  }

  @POST
  @Path("environments/{name}/rebuild")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Produces(MediaType.TEXT_HTML)
  public Response rebuild(
      @RestPath String name, @RestForm String csrf, @RestForm String component) {
    return act(
        name,
        csrf,
        who -> {
          requests.rebuild(name, Optional.ofNullable(component).filter(c -> !c.isBlank()), who);
          return "/environments/" + name + "?done=rebuilt";
        });
  }

  @POST
  @Path("environments/{name}/destroy")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Produces(MediaType.TEXT_HTML)
  public Response destroy(@RestPath String name, @RestForm String csrf) {
    return act(
        name,
        csrf,
        who -> {
          if (!requests.destroy(name, "destroyed from the status page", who)) {
            throw new EnvironmentNotFoundException(name);
          }
          return "/environments?destroyed=" + name;
        });
  }

  /**
   * Runs an action for the logged-in viewer: refused without a login (401), with a form that did
   * not come from our page (403), or without write permission on the repository (403).
   */
  private Response act(String name, String csrf, Function<String, String> action) {
    PageViewer viewer = viewer();
    String path = "/environments/" + name;
    if (viewer.login().isEmpty()) {
      return html(
          401,
          renderer.message(
              "Log in first",
              login.configured()
                  ? "Extending, rebuilding and destroying environments takes a GitHub login with"
                      + " write permission on the environment's repository."
                  : ActionPolicy.LOGIN_NOT_CONFIGURED,
              chrome(viewer, path, null, null, null)),
          0);
    }
    if (!security.csrfValid(viewer, csrf)) {
      return html(
          403,
          renderer.message(
              "Form refused",
              "This form did not come from this Branchyard page, or your session changed since"
                  + " the page was shown (CSRF protection). Reload the page and try again.",
              chrome(viewer, path, null, null, null)),
          0);
    }
    Optional<Environment> environment = requests.get(name);
    if (environment.isEmpty()) {
      return notFound(viewer, name);
    }
    EnvironmentView view = EnvironmentViews.of(environment.get());
    String who = viewer.login().get();
    Verdict verdict =
        ActionPolicy.decide(
            true,
            viewer.login(),
            view.trigger().repo(),
            view.deleting(),
            Optional.of(security.permission(view.trigger().repo(), who)));
    if (!verdict.allowed()) {
      return html(
          403,
          renderer.message("Not allowed", verdict.reason(), chrome(viewer, path, null, null, null)),
          0);
    }
    try {
      return Response.seeOther(URI.create(action.apply(who))).build();
    } catch (EnvironmentNotFoundException e) {
      return notFound(viewer, name);
    } catch (ExtensionRefusedException e) {
      return environmentPage(viewer, name, 409, e.getMessage(), "bad");
    } catch (IllegalArgumentException e) {
      // InvalidTtlException, or a rebuild naming a component the stack does not have.
      return environmentPage(viewer, name, 400, e.getMessage(), "bad");
    }
  }

  // ---- login ----------------------------------------------------------------------------------

  /**
   * Logs in with GitHub (quarkus-oidc's code flow: an anonymous visitor is sent to GitHub and comes
   * back here) and returns to {@code then}, a path of this site.
   */
  @GET
  @Path("login")
  @Produces(MediaType.TEXT_HTML)
  public Response login(@RestQuery String then) {
    PageViewer viewer = viewer();
    if (!login.configured()) {
      return html(
          503,
          renderer.message(
              "Login is not configured",
              ActionPolicy.LOGIN_NOT_CONFIGURED,
              chrome(viewer, "/environments", null, null, null)),
          0);
    }
    if (viewer.login().isEmpty()) {
      // Answered by the OIDC mechanism's challenge: a redirect to GitHub's authorize page.
      throw new UnauthorizedException("log in with GitHub");
    }
    return Response.seeOther(URI.create(LocalPaths.safe(then))).build();
  }

  @POST
  @Path("logout")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Produces(MediaType.TEXT_HTML)
  public Response logout(@RestForm String csrf) {
    PageViewer viewer = viewer();
    if (viewer.login().isPresent()) {
      if (!security.csrfValid(viewer, csrf)) {
        return html(
            403,
            renderer.message(
                "Form refused",
                "This form did not come from this Branchyard page; reload it and log out again.",
                chrome(viewer, "/environments", null, null, null)),
            0);
      }
      session.logout().await().atMost(Duration.ofSeconds(10));
    }
    return Response.seeOther(URI.create("/environments")).build();
  }

  // ---- helpers --------------------------------------------------------------------------------

  private Response environmentPage(
      PageViewer viewer, String name, int status, String notice, String tone) {
    Optional<Environment> environment = requests.get(name);
    if (environment.isEmpty()) {
      return notFound(viewer, name);
    }
    Environment resource = environment.get();
    EnvironmentView view = EnvironmentViews.of(resource);
    Workloads running = workloads.observe(view.namespace());
    EnvironmentPage page =
        EnvironmentPages.of(view, extendedTo(resource), running, clock.instant());
    PageActions actions = actions(view, viewer);
    String path = "/environments/" + name;
    String live = path + "/events?since=" + resource.getMetadata().getResourceVersion();
    long start = System.nanoTime();
    String body = renderer.environment(page, actions, chrome(viewer, path, notice, tone, live));
    return html(status, body, System.nanoTime() - start);
  }

  private PageActions actions(EnvironmentView view, PageViewer viewer) {
    String repo = Objects.requireNonNullElse(view.trigger().repo(), "its repository");
    Optional<ActionPolicy.PermissionCheck> check =
        viewer.login().isPresent() && login.configured() && !view.deleting()
            ? Optional.of(security.permission(repo, viewer.login().get()))
            : Optional.empty();
    Verdict verdict =
        ActionPolicy.decide(login.configured(), viewer.login(), repo, view.deleting(), check);
    Optional<String> csrf = verdict.allowed() ? security.csrfToken(viewer) : Optional.empty();
    boolean available = verdict.allowed() && csrf.isPresent();
    String reason =
        available || !verdict.allowed()
            ? verdict.reason()
            : "Your session carries no token to protect the forms with; log out and in again.";
    return new PageActions(
        available,
        reason,
        viewer.login().orElse(null),
        viewer.login().isEmpty() && login.configured(),
        csrf.orElse(null),
        view.components().stream().map(ComponentView::name).toList());
  }

  private Response notFound(PageViewer viewer, String name) {
    return html(
        404,
        renderer.message(
            "No such environment",
            "There is no environment named '"
                + name
                + "'. It may have been destroyed, or its pull request closed.",
            chrome(viewer, "/environments/" + name, null, null, null)),
        0);
  }

  private Optional<Response> readGate(PageViewer viewer, String path) {
    if (config.anonymousRead() || viewer.login().isPresent()) {
      return Optional.empty();
    }
    if (login.configured()) {
      return Optional.of(Response.seeOther(URI.create(login.loginUrl(path).orElseThrow())).build());
    }
    return Optional.of(
        html(
            401,
            renderer.message(
                "Login required",
                "This Branchyard shows its pages to logged-in users only"
                    + " (branchyard.web.pages.anonymous-read=false), but no GitHub OAuth app is"
                    + " configured, so nobody can log in. "
                    + ActionPolicy.LOGIN_NOT_CONFIGURED,
                new PageChrome(null, null, null, null, null, null)),
            0));
  }

  private void requireRead(PageViewer viewer) {
    if (!config.anonymousRead() && viewer.login().isEmpty()) {
      throw new WebApplicationException("log in to follow this page", 401);
    }
  }

  private PageChrome chrome(
      PageViewer viewer, String path, String notice, String tone, String liveUrl) {
    return new PageChrome(
        viewer.login().orElse(null),
        viewer.login().isPresent() ? null : login.loginUrl(path).orElse(null),
        security.csrfToken(viewer).orElse(null),
        notice,
        tone,
        liveUrl);
  }

  private PageViewer viewer() {
    return security.viewer(identity);
  }

  private EnvironmentListing.Query query(
      String spec, String repo, String author, String phase, String sort, String cursor) {
    return EnvironmentListing.Query.parse(
        spec, repo, author, phase, sort, Integer.toString(config.pageSize()), cursor);
  }

  private static Map<String, String> raw(
      String spec, String repo, String author, String phase, String sort) {
    Map<String, String> raw = new LinkedHashMap<>();
    put(raw, "spec", spec);
    put(raw, "repo", repo);
    put(raw, "author", author);
    put(raw, "phase", phase);
    put(raw, "sort", sort);
    return raw;
  }

  private static void put(Map<String, String> map, String key, String value) {
    if (value != null && !value.isBlank()) {
      map.put(key, value.strip());
    }
  }

  /** An extension the controller has not taken into {@code status.expiresAt} yet. */
  static Optional<Instant> extendedTo(Environment environment) {
    Map<String, String> annotations = environment.getMetadata().getAnnotations();
    String text =
        annotations == null ? null : annotations.get(EnvironmentRequests.EXPIRES_AT_ANNOTATION);
    if (text == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private OutboundSseEvent update(
      Sse sse, Map<String, String> fragments, Map<String, String> keys, String announce) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("fragments", fragments);
    data.put("keys", keys);
    if (announce != null) {
      data.put("announce", announce);
    }
    try {
      return sse.newEventBuilder()
          .name("update")
          .data(String.class, json.writeValueAsString(data))
          .build();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a live update as JSON", e);
    }
  }

  private static Response html(int status, String body, long renderNanos) {
    Response.ResponseBuilder response =
        Response.status(status).entity(body).type(HTML).header("Cache-Control", "no-store");
    if (renderNanos > 0) {
      // The template's share of the response time, for the < 50 ms budget (see docs/web.md).
      response.header("Server-Timing", String.format("render;dur=%.2f", renderNanos / 1e6));
    }
    return response.build();
  }
}

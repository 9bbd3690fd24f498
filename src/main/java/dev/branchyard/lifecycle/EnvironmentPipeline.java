package dev.branchyard.lifecycle;

import dev.branchyard.build.BuildArg;
import dev.branchyard.build.EnvironmentImages;
import dev.branchyard.build.EnvironmentImages.ImageState;
import dev.branchyard.build.ImageBuild;
import dev.branchyard.build.ImageBuildPhase;
import dev.branchyard.build.ImageBuildSpec;
import dev.branchyard.build.ImageNamer;
import dev.branchyard.deploy.ComponentManifests;
import dev.branchyard.deploy.IngressTarget;
import dev.branchyard.deploy.Manifest;
import dev.branchyard.deploy.ManifestApplier;
import dev.branchyard.deploy.ManifestApplier.ApplyException;
import dev.branchyard.deploy.ReadinessChecker;
import dev.branchyard.deploy.ReadinessChecker.NotReady;
import dev.branchyard.deploy.ReadinessChecker.Readiness;
import dev.branchyard.deploy.RenderContext;
import dev.branchyard.deploy.RenderException;
import dev.branchyard.git.StackResolver;
import dev.branchyard.spec.BuildArgValue;
import dev.branchyard.spec.BuildSpec;
import dev.branchyard.spec.ComponentSpec;
import dev.branchyard.spec.LoadedSpec;
import dev.branchyard.spec.RefMatchError;
import dev.branchyard.spec.RefMatchResult;
import dev.branchyard.spec.RefRequest;
import dev.branchyard.spec.ResolvedComponent;
import dev.branchyard.spec.SpecCatalog;
import dev.branchyard.spec.StackSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * One pass of the environment pipeline: resolve -> ensureImages -> ensureNamespace -> render ->
 * apply -> awaitReady -> publish. Each step reads what the status says was done and does only what
 * is missing, so a pass can be cut short anywhere (crash, restart, newer request) and the next pass
 * converges. The status is written at step boundaries, so progress shows while it happens.
 *
 * <p>Between steps the pass checks whether a newer request arrived for the environment (java-
 * operator-sdk knows: another event is queued); if so it stops and leaves the work to the next
 * pass, and the status writer refuses to write over a newer generation in any case.
 */
@ApplicationScoped
public class EnvironmentPipeline {

  private static final Logger LOG = Logger.getLogger(EnvironmentPipeline.class);

  private final SpecCatalog catalog;
  private final StackResolver resolver;
  private final ImageNamer namer;
  private final EnvironmentImages images;
  private final KubernetesClient client;
  private final EnvironmentNamespaces namespaces;
  private final ComponentManifests renderer;
  private final ManifestApplier applier;
  private final ReadinessChecker readiness;
  private final EnvironmentStatusWriter writer;
  private final EnvironmentAdmission admission;
  private final ExpirySchedule expiries;
  private final LifecycleConfig config;
  private final Clock clock;

  public EnvironmentPipeline(
      SpecCatalog catalog,
      StackResolver resolver,
      ImageNamer namer,
      EnvironmentImages images,
      KubernetesClient client,
      EnvironmentNamespaces namespaces,
      ComponentManifests renderer,
      ManifestApplier applier,
      ReadinessChecker readiness,
      EnvironmentStatusWriter writer,
      EnvironmentAdmission admission,
      ExpirySchedule expiries,
      LifecycleConfig config,
      Clock clock) {
    this.catalog = catalog;
    this.resolver = resolver;
    this.namer = namer;
    this.images = images;
    this.client = client;
    this.namespaces = namespaces;
    this.renderer = renderer;
    this.applier = applier;
    this.readiness = readiness;
    this.writer = writer;
    this.admission = admission;
    this.expiries = expiries;
    this.config = config;
    this.clock = clock;
  }

  /** What the pass ended with: when to look again, if at all before the next event. */
  public record Outcome(Optional<Duration> again, EnvironmentPhase phase) {}

  /** Thrown inside a pass to end it; the status is already written. */
  private static final class Stop extends RuntimeException {
    private final Outcome outcome;

    Stop(Outcome outcome) {
      super(null, null, false, false);
      this.outcome = outcome;
    }
  }

  /** The state a pass carries from step to step. */
  private final class Pass {
    private Environment environment;
    private final StatusDraft draft;
    private final BooleanSupplier superseded;
    private List<Manifest> environmentObjects = List.of();

    Pass(Environment environment, BooleanSupplier superseded) {
      this.environment = environment;
      this.draft = StatusDraft.of(environment, clock);
      this.superseded = superseded;
    }

    void keepEnvironmentObjects(List<Manifest> objects) {
      environmentObjects = List.copyOf(objects);
    }

    List<Manifest> environmentObjects() {
      return environmentObjects;
    }

    void flush() {
      String before = expiresAtOf(environment);
      environment = writer.write(environment, draft);
      if (!Objects.equals(before, expiresAtOf(environment))) {
        try {
          expiries.schedule(environment);
        } catch (RuntimeException e) {
          // The TTL sweep sets the timers in any case; this only makes it immediate.
          LOG.warnf("cannot move the expiry timers: %s", e.getMessage());
        }
      }
    }

    /** A step boundary: write progress, and stop if a newer request is waiting. */
    void checkpoint() {
      flush();
      if (superseded.getAsBoolean()) {
        LOG.debugf("a newer request is queued; leaving the rest of this pass to it");
        throw new Stop(new Outcome(Optional.empty(), draft.phase()));
      }
    }

    Stop waitFor(EnvironmentPhase phase, String reason, String message, Duration again) {
      draft.phase(phase, reason, message);
      flush();
      return new Stop(new Outcome(Optional.of(again), phase));
    }

    /** Waits in the admission queue; looked at again after the queue poll interval. */
    Stop queued(int position, String reason, String message) {
      draft.queued(position, reason, message);
      flush();
      return new Stop(
          new Outcome(Optional.of(config.limits().queuePollInterval()), EnvironmentPhase.Queued));
    }

    Stop fail(String condition, String reason, String message, Optional<Duration> again) {
      draft.condition(condition, false, reason, message);
      draft.condition(StatusDraft.READY, false, reason, message);
      draft.phase(EnvironmentPhase.Failed, reason, message);
      flush();
      return new Stop(new Outcome(again, EnvironmentPhase.Failed));
    }
  }

  /**
   * Runs one pass, reading the other environments (for admission) from the API server.
   *
   * @param superseded true once a newer request for the environment is waiting
   */
  public Outcome run(Environment environment, BooleanSupplier superseded) {
    return run(
        environment,
        superseded,
        () ->
            client
                .resources(Environment.class)
                .inNamespace(environment.getMetadata().getNamespace())
                .list()
                .getItems());
  }

  /**
   * Runs one pass.
   *
   * @param superseded true once a newer request for the environment is waiting
   * @param all every Environment of the environment's namespace (e.g. the controller's cache), read
   *     only while the environment waits for admission
   */
  public Outcome run(
      Environment environment,
      BooleanSupplier superseded,
      Supplier<? extends Collection<Environment>> all) {
    Pass pass = new Pass(environment, superseded);
    MDC.put("environment", environment.getMetadata().getName());
    try {
      LoadedSpec loaded = loadSpec(pass);
      StackSpec spec = loaded.spec();
      admit(pass, spec, all);
      extend(pass, spec);
      Map<String, ResolvedRef> refs = resolve(pass, loaded);
      pass.checkpoint();
      Map<String, String> builtImages = ensureImages(pass, spec, refs);
      pass.checkpoint();
      String namespace = pass.draft.namespace().orElse(namespaces.nameFor(environment, spec));
      Map<String, List<Manifest>> rendered = render(pass, spec, refs, builtImages, namespace);
      ensureNamespace(pass, spec, namespace, rendered);
      pass.checkpoint();
      boolean allReady = applyAndAwait(pass, spec, rendered, namespace);
      if (!allReady) {
        pass.flush();
        return new Outcome(Optional.of(config.deployPollInterval()), pass.draft.phase());
      }
      publish(pass, spec, namespace);
      return new Outcome(Optional.empty(), EnvironmentPhase.Ready);
    } catch (Stop stop) {
      return stop.outcome;
    } catch (EnvironmentStatusWriter.SupersededException e) {
      LOG.debugf("%s", e.getMessage());
      return new Outcome(Optional.empty(), pass.draft.phase());
    } finally {
      MDC.remove("environment");
    }
  }

  // ---- admit -----------------------------------------------------------------------------------

  /**
   * Holds a new environment back while its stack or Branchyard is at its limit ({@link
   * EnvironmentAdmission}). Admission happens once: an admitted environment never waits again.
   */
  private void admit(Pass pass, StackSpec spec, Supplier<? extends Collection<Environment>> all) {
    if (EnvironmentAdmission.isAdmitted(pass.environment.getStatus())) {
      return;
    }
    AdmissionPolicy.Decision decision = admission.decide(pass.environment, all.get());
    if (decision instanceof AdmissionPolicy.Decision.Queue queue) {
      throw pass.queued(queue.position(), "Queued", queue.reason());
    }
    if (decision instanceof AdmissionPolicy.Decision.Evict evict) {
      admission.evict(pass.environment, evict.victim(), evict.reason());
      throw pass.queued(1, "Evicting", evict.reason());
    }
    pass.draft.condition(StatusDraft.ADMITTED, true, "Admitted", decision.reason());
    pass.draft.event("Normal", "Admitted", decision.reason());
    if (pass.draft.expiresAt().isEmpty()) {
      // The time to live counts from admission (not from creation: time in the queue is not lost),
      // so an environment that fails expires too.
      pass.draft.expiresAt(expiry(pass, spec, clock.instant()));
    }
  }

  /**
   * Takes an extension ({@value EnvironmentRequests#EXPIRES_AT_ANNOTATION}, written by {@link
   * EnvironmentRequests#extend}) as {@code status.expiresAt} when it is later, bounded by the
   * stack's max from creation; the TTL clock's timers move when the status is written.
   */
  private void extend(Pass pass, StackSpec spec) {
    Optional<Instant> wanted =
        annotation(pass.environment, EnvironmentRequests.EXPIRES_AT_ANNOTATION)
            .flatMap(ResourceTimes::parse)
            .map(at -> at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    Optional<Instant> current = pass.draft.expiresAt().flatMap(ResourceTimes::parse);
    if (wanted.isEmpty() || current.isEmpty() || !wanted.get().isAfter(current.get())) {
      return;
    }
    Instant max = createdAt(pass.environment).plus(spec.ttl().max());
    Instant at = wanted.get().isAfter(max) ? max : wanted.get();
    if (!at.isAfter(current.get())) {
      return;
    }
    pass.draft.expiresAt(at);
    pass.draft.event(
        "Normal",
        "Extended",
        "now expires at "
            + at
            + (at.equals(wanted.get())
                ? ""
                : " (asked for "
                    + wanted.get()
                    + "; the stack's max of "
                    + dev.branchyard.spec.DurationText.format(spec.ttl().max())
                    + " from creation ends there)"));
  }

  private Instant createdAt(Environment environment) {
    return ResourceTimes.parse(environment.getMetadata().getCreationTimestamp())
        .orElseGet(clock::instant);
  }

  private static Optional<String> annotation(Environment environment, String key) {
    Map<String, String> annotations = environment.getMetadata().getAnnotations();
    return annotations == null ? Optional.empty() : Optional.ofNullable(annotations.get(key));
  }

  private static String expiresAtOf(Environment environment) {
    return environment.getStatus() == null ? null : environment.getStatus().expiresAt();
  }

  // ---- resolve ---------------------------------------------------------------------------------

  private LoadedSpec loadSpec(Pass pass) {
    String name = pass.environment.getSpec().specName();
    Optional<LoadedSpec> loaded = catalog.get(name);
    if (loaded.isEmpty()) {
      String known = catalog.all().stream().map(LoadedSpec::name).sorted().toList().toString();
      throw pass.fail(
          StatusDraft.RESOLVED,
          "SpecNotFound",
          "no environment spec named '" + name + "' is loaded; loaded specs: " + known,
          Optional.of(config.retryInterval()));
    }
    return loaded.get();
  }

  /**
   * The commits to deploy. Resolved again only when the request (generation) or the spec changed: a
   * branch that moves does not silently change a running environment.
   */
  private Map<String, ResolvedRef> resolve(Pass pass, LoadedSpec loaded) {
    StatusDraft draft = pass.draft;
    boolean current =
        draft.observedGeneration().orElse(-1L) == draft.generation()
            && draft.specRevision().orElse("").equals(loaded.revision())
            && draft.resolvedRefs().size() == loaded.spec().components().size();
    if (!current) {
      draft.phase(EnvironmentPhase.Resolving, "Resolving", "choosing the commit of each repo");
      pass.flush();
      Trigger trigger = pass.environment.getSpec().trigger();
      RefMatchResult result = resolver.resolve(loaded.spec(), refRequest(trigger));
      if (result instanceof RefMatchResult.Unresolved unresolved) {
        String message =
            unresolved.errors().stream().map(RefMatchError::message).collect(joinLines());
        throw pass.fail(
            StatusDraft.RESOLVED, "RefsUnresolved", message, Optional.of(config.retryInterval()));
      }
      List<ResolvedRef> refs =
          ((RefMatchResult.Resolved) result).components().stream().map(this::toRef).toList();
      draft.resolved(refs, loaded.revision());
      // A new revision: what it renders is pruned once it is all applied (see applyAndAwait).
      draft.condition(StatusDraft.APPLIED, false, "Resolved", "a new revision is to be applied");
      draft.condition(
          StatusDraft.RESOLVED,
          true,
          "Resolved",
          refs.stream().map(r -> r.component() + "@" + r.sha().substring(0, 7)).toList() + "");
      draft.event("Normal", "Resolved", describe(refs));
    }
    Map<String, ResolvedRef> byComponent = new LinkedHashMap<>();
    draft.resolvedRefs().forEach(ref -> byComponent.put(ref.component(), ref));
    return byComponent;
  }

  private static RefRequest refRequest(Trigger trigger) {
    String branch = trigger.branch() == null ? "main" : trigger.branch();
    return new RefRequest(
        trigger.repo(), trigger.headSha(), branch, Optional.ofNullable(trigger.baseBranch()));
  }

  private ResolvedRef toRef(ResolvedComponent c) {
    return new ResolvedRef(
        c.component(),
        c.repo(),
        RefKind.valueOf(c.refKind().name()),
        c.refName(),
        c.sha(),
        c.reason());
  }

  private static String describe(List<ResolvedRef> refs) {
    return refs.stream()
        .map(r -> r.component() + ": " + r.refName() + " @ " + r.sha().substring(0, 7))
        .collect(Collectors.joining("; "));
  }

  // ---- ensureImages ----------------------------------------------------------------------------

  /**
   * Every image the stack builds exists, or the pass waits for its build. Images are deployed by
   * digest ({@code <image>@sha256:...}), so a rebuilt image rolls out even though its tag is the
   * same.
   *
   * <p>A new {@value EnvironmentRequests#REBUILD_ANNOTATION} request (written by {@link
   * EnvironmentRequests#rebuild}) builds the named component's image (or every one, for {@code *})
   * again whatever the registry has, and re-applies it; the request is recorded in {@code
   * status.rebuild} once its builds are over, so each distinct request is carried out once.
   */
  private Map<String, String> ensureImages(
      Pass pass, StackSpec spec, Map<String, ResolvedRef> refs) {
    boolean fork = Boolean.TRUE.equals(pass.environment.getSpec().trigger().fork());
    Optional<String> rebuild =
        annotation(pass.environment, EnvironmentRequests.REBUILD_ANNOTATION)
            .filter(value -> !value.equals(pass.draft.rebuild().orElse(null)));
    Set<String> forced = new LinkedHashSet<>();
    List<ComponentSpec> building = new ArrayList<>();
    List<ImageBuildSpec> wanted = new ArrayList<>();
    if (rebuild.isPresent()) {
      String target = rebuildTarget(rebuild.get());
      spec.components().stream()
          .filter(c -> c.build().isPresent())
          .filter(c -> target.equals("*") || target.equals(c.name()))
          .forEach(c -> forced.add(c.name()));
      if (forced.isEmpty()) {
        pass.draft.rebuild(rebuild.get());
        pass.draft.event(
            "Normal",
            "RebuildSkipped",
            "rebuild of " + target + " asked for, but no such component builds an image");
        rebuild = Optional.empty();
      }
    }
    for (ComponentSpec component : spec.components()) {
      if (component.build().isPresent()) {
        building.add(component);
        ImageBuildSpec image =
            imageSpec(component, refs.get(component.name()).sha(), component.build().get(), fork);
        wanted.add(forced.contains(component.name()) ? image.withRebuild(rebuild.get()) : image);
      }
    }
    Map<String, String> imageByComponent = new LinkedHashMap<>();
    if (wanted.isEmpty()) {
      pass.draft.condition(StatusDraft.IMAGES_READY, true, "NoBuilds", "no component builds");
      return imageByComponent;
    }
    List<ImageState> states = images.ensure(pass.environment, wanted);
    List<String> waiting = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    List<String> rebuilt = new ArrayList<>();
    for (int i = 0; i < building.size(); i++) {
      ComponentSpec component = building.get(i);
      ImageState state = states.get(i);
      ImageBuildPhase phase;
      String buildName = null;
      String message;
      String digest = null;
      if (state instanceof ImageState.Available available) {
        phase = ImageBuildPhase.Skipped;
        message = "image already in the registry";
        digest = available.digest();
      } else {
        buildName = ((ImageState.Requested) state).buildName();
        ImageBuild build =
            client
                .resources(ImageBuild.class)
                .inNamespace(pass.environment.getMetadata().getNamespace())
                .withName(buildName)
                .get();
        // A status of an earlier generation (before a rebuild request) says nothing yet.
        boolean current =
            build != null
                && build.getStatus() != null
                && build.getStatus().phase() != null
                && (build.getStatus().observedGeneration() == null
                    || build
                        .getStatus()
                        .observedGeneration()
                        .equals(build.getMetadata().getGeneration()));
        phase = current ? build.getStatus().phase() : ImageBuildPhase.Pending;
        message =
            !current || build.getStatus().message() == null
                ? "build " + phase.name().toLowerCase()
                : build.getStatus().message();
        switch (phase) {
          case Succeeded, Skipped -> {
            digest = build.getStatus().digest();
            if (forced.contains(component.name())) {
              rebuilt.add(component.name());
            }
          }
          case Failed, Cancelled ->
              failed.add(component.name() + ": build " + buildName + " " + phase + ": " + message);
          default -> waiting.add(component.name() + " (" + phase + ")");
        }
      }
      imageByComponent.put(
          component.name(), digest == null ? state.image() : state.image() + "@" + digest);
      ComponentStatus previous = pass.draft.component(component.name()).orElse(null);
      boolean reapply = rebuilt.contains(component.name());
      // The message is shared with the deploy steps: an image that stands as it stood keeps the
      // message they wrote (else every pass would write "image already in the registry", then
      // "ready" again: two status writes, each waking another pass).
      boolean imageAsBefore =
          previous != null
              && java.util.Objects.equals(previous.image(), state.image())
              && java.util.Objects.equals(previous.imageBuild(), buildName)
              && previous.imagePhase() == phase;
      pass.draft.component(
          new ComponentStatus(
              component.name(),
              state.image(),
              buildName,
              phase,
              previous == null ? DeployPhase.Waiting : previous.deployPhase(),
              imageAsBefore && previous.message() != null ? previous.message() : message,
              refs.get(component.name()).sha(),
              previous == null || reapply ? null : previous.appliedHash(),
              previous == null ? null : previous.appliedAt()));
    }
    if (rebuild.isPresent() && waiting.isEmpty()) {
      // Over, one way or the other: carried out once, not again at the next pass.
      pass.draft.rebuild(rebuild.get());
      if (!rebuilt.isEmpty()) {
        pass.draft.event(
            "Normal", "Rebuilt", "built " + String.join(", ", rebuilt) + " again; re-applying");
      }
    }
    if (!failed.isEmpty()) {
      throw pass.fail(
          StatusDraft.IMAGES_READY, "BuildFailed", String.join("\n", failed), Optional.empty());
    }
    if (!waiting.isEmpty()) {
      String message =
          (rebuild.isPresent() ? "rebuilding " + String.join(", ", forced) + "; " : "")
              + "waiting for images: "
              + String.join(", ", waiting);
      pass.draft.condition(StatusDraft.IMAGES_READY, false, "Building", message);
      throw pass.waitFor(
          EnvironmentPhase.Building, "Building", message, config.buildPollInterval());
    }
    pass.draft.condition(StatusDraft.IMAGES_READY, true, "ImagesReady", "every image exists");
    return imageByComponent;
  }

  /** The component of a rebuild request {@code <requested-at>;<component or *>}. */
  static String rebuildTarget(String request) {
    int separator = request.lastIndexOf(';');
    String target = separator < 0 ? "*" : request.substring(separator + 1).trim();
    return target.isEmpty() ? "*" : target;
  }

  private ImageBuildSpec imageSpec(
      ComponentSpec component, String sha, BuildSpec build, boolean fork) {
    Map<String, BuildArgValue> args = new TreeMap<>(build.args());
    if (fork) {
      // Pull requests from forks never see secrets, not even through a build.
      args.values().removeIf(BuildArgValue.FromSecret.class::isInstance);
      build = new BuildSpec(build.dockerfile(), build.context(), args);
    }
    List<BuildArg> buildArgs = new ArrayList<>();
    args.forEach(
        (name, value) -> {
          if (value instanceof BuildArgValue.FromSecret secret) {
            buildArgs.add(
                new BuildArg(name, null, new BuildArg.SecretKeyRef(secret.secret(), secret.key())));
          } else {
            buildArgs.add(new BuildArg(name, ((BuildArgValue.Literal) value).value(), null));
          }
        });
    String image = namer.name(component.repo(), sha, build).reference();
    return new ImageBuildSpec(
        component.repo(), sha, build.dockerfile(), build.context(), buildArgs, image);
  }

  // ---- ensureNamespace -------------------------------------------------------------------------

  private void ensureNamespace(
      Pass pass, StackSpec spec, String namespace, Map<String, List<Manifest>> rendered) {
    // The namespace was there before: if it is missing now, someone deleted it behind our back.
    boolean hadNamespace =
        pass.draft
            .condition(StatusDraft.NAMESPACE_READY)
            .map(c -> "True".equals(c.getStatus()))
            .orElse(false);
    pass.draft.namespace(namespace);
    EnvironmentNamespaces.Ensured ensured;
    try {
      ensured = namespaces.ensure(pass.environment, spec, namespace, ingressTarget(spec, rendered));
    } catch (ApplyException e) {
      throw pass.fail(
          StatusDraft.NAMESPACE_READY,
          hadNamespace ? "NamespaceRecreateFailed" : "NamespaceFailed",
          (hadNamespace
                  ? "namespace "
                      + namespace
                      + " is gone or going and could not be"
                      + " created again: "
                  : "")
              + e.getMessage(),
          Optional.of(config.retryInterval()));
    }
    pass.keepEnvironmentObjects(ensured.objects());
    // Components recorded as applied went into a namespace that no longer exists. This also covers
    // a repair that an earlier pass began (NamespaceRecreateFailed while the old namespace was
    // terminating), after which the namespace condition no longer says it was there.
    boolean appliedBefore =
        spec.components().stream()
            .anyMatch(
                component ->
                    pass.draft
                        .component(component.name())
                        .map(c -> c.appliedHash() != null)
                        .orElse(false));
    if (ensured.created() && (hadNamespace || appliedBefore)) {
      pass.draft.event(
          "Warning",
          "NamespaceRecreated",
          "namespace "
              + namespace
              + " had vanished (deleted outside Branchyard); created it again, re-applying every"
              + " component");
      for (ComponentSpec component : spec.components()) {
        pass.draft
            .component(component.name())
            .ifPresent(
                c ->
                    pass.draft.component(
                        new ComponentStatus(
                            c.name(),
                            c.image(),
                            c.imageBuild(),
                            c.imagePhase(),
                            DeployPhase.Waiting,
                            "namespace re-created; applying again",
                            c.commitSha(),
                            null,
                            null)));
      }
    }
    pass.draft.condition(StatusDraft.NAMESPACE_READY, true, "NamespaceReady", namespace);
  }

  /**
   * The ingress routes to the first Service of the first component that has one: by convention the
   * first component of a stack is its front door.
   */
  private static Optional<IngressTarget> ingressTarget(
      StackSpec spec, Map<String, List<Manifest>> rendered) {
    if (spec.ingress().isEmpty()) {
      return Optional.empty();
    }
    for (ComponentSpec component : spec.components()) {
      Optional<IngressTarget> target = IngressTarget.firstService(rendered.get(component.name()));
      if (target.isPresent()) {
        return target;
      }
    }
    return Optional.empty();
  }

  // ---- render ----------------------------------------------------------------------------------

  private Map<String, List<Manifest>> render(
      Pass pass,
      StackSpec spec,
      Map<String, ResolvedRef> refs,
      Map<String, String> builtImages,
      String namespace) {
    String name = pass.environment.getMetadata().getName();
    Map<String, String> services = new LinkedHashMap<>();
    spec.components().forEach(c -> services.put(c.name(), c.name()));
    Optional<String> host = spec.ingress().map(i -> i.hostFor(name));
    Map<String, List<Manifest>> rendered = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    for (ComponentSpec component : spec.components()) {
      RenderContext context =
          new RenderContext(
              name,
              namespace,
              spec.name(),
              component.name(),
              component.repo(),
              refs.get(component.name()).sha(),
              Optional.ofNullable(builtImages.get(component.name())),
              host,
              services,
              spec.values());
      try {
        rendered.put(component.name(), renderer.render(component, context));
      } catch (RenderException e) {
        errors.add(component.name() + ": " + e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw pass.fail(
          StatusDraft.APPLIED, "RenderFailed", String.join("\n", errors), Optional.empty());
    }
    return rendered;
  }

  // ---- apply + awaitReady ----------------------------------------------------------------------

  /**
   * Applies components in {@code requires} order: a component is applied once everything it
   * requires is ready. Components whose manifests did not change since they were applied are not
   * applied again. Returns whether every component is ready.
   */
  private boolean applyAndAwait(
      Pass pass, StackSpec spec, Map<String, List<Manifest>> rendered, String namespace) {
    String name = pass.environment.getMetadata().getName();
    Set<String> ready = new LinkedHashSet<>();
    List<String> notReady = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    boolean allApplied = true;
    boolean appliedAny = false;
    Instant now = clock.instant();
    for (ComponentSpec component : inRequiresOrder(spec)) {
      ComponentStatus previous =
          pass.draft.component(component.name()).orElse(emptyStatus(component, pass));
      List<String> missing = component.requires().stream().filter(r -> !ready.contains(r)).toList();
      if (!missing.isEmpty()) {
        allApplied = false;
        pass.draft.component(
            with(previous, DeployPhase.Waiting, "waiting for " + String.join(", ", missing)));
        continue;
      }
      List<Manifest> manifests = rendered.get(component.name());
      String hash = hash(manifests);
      ComponentStatus current = previous;
      if (!hash.equals(previous.appliedHash())) {
        try {
          applier.apply(namespace, name, manifests);
          appliedAny = true;
        } catch (ApplyException e) {
          throw pass.fail(
              StatusDraft.APPLIED,
              "ApplyFailed",
              component.name() + ": " + e.getMessage(),
              Optional.of(config.retryInterval()));
        }
        current =
            new ComponentStatus(
                previous.name(),
                previous.image(),
                previous.imageBuild(),
                previous.imagePhase(),
                DeployPhase.Progressing,
                "applied " + manifests.size() + " objects",
                previous.commitSha(),
                hash,
                now.toString());
        pass.draft.event(
            "Normal", "Applied", component.name() + ": applied " + manifests.size() + " objects");
        pass.draft.phase(EnvironmentPhase.Deploying, "Deploying", "deploying " + component.name());
        // Just applied: not looked at before the next pass, so the components after it are
        // applied without waiting for a readiness check (and its explanation) that would say
        // little yet. The status write of this pass wakes the next pass at once.
        pass.draft.component(current);
        notReady.add(component.name() + ": applied " + manifests.size() + " objects");
        continue;
      }
      Readiness verdict = readiness.check(namespace, manifests);
      if (verdict.ready()) {
        ready.add(component.name());
        pass.draft.component(with(current, DeployPhase.Ready, "ready"));
        continue;
      }
      String why =
          verdict.notReady().stream()
              .map(
                  n ->
                      n.key().kind()
                          + "/"
                          + n.key().name()
                          + ": "
                          + n.reason()
                          + ": "
                          + n.message())
              .collect(Collectors.joining("; "));
      boolean timedOut =
          current.appliedAt() != null
              && Instant.parse(current.appliedAt()).plus(config.readyTimeout()).isBefore(now);
      if (verdict.failed() || timedOut) {
        String reason =
            verdict.notReady().stream()
                .filter(NotReady::failed)
                .map(NotReady::reason)
                .findFirst()
                .orElse("ReadyTimeout");
        pass.draft.component(with(current, DeployPhase.Failed, why));
        failures.add(
            component.name()
                + (timedOut && !verdict.failed()
                    ? " not ready after " + config.readyTimeout() + ": "
                    : " failed: ")
                + why
                + " ("
                + reason
                + ")");
      } else {
        pass.draft.component(with(current, DeployPhase.Progressing, why));
        notReady.add(component.name() + ": " + why);
      }
    }
    if (!failures.isEmpty()) {
      throw pass.fail(
          StatusDraft.READY,
          "DeployFailed",
          String.join("\n", failures),
          Optional.of(config.retryInterval()));
    }
    if (allApplied) {
      // Pruning lists every kind Branchyard renders: only when something may be left over, i.e.
      // this pass applied a change, or a new revision (or a failed prune) left Applied false.
      boolean pruned =
          pass.draft
              .condition(StatusDraft.APPLIED)
              .map(c -> "True".equals(c.getStatus()))
              .orElse(false);
      if (appliedAny || !pruned) {
        prune(pass, namespace, rendered);
      }
      pass.draft.condition(StatusDraft.APPLIED, true, "Applied", "every component is applied");
    } else {
      pass.draft.condition(
          StatusDraft.APPLIED, false, "Applying", "components wait for what they require");
    }
    boolean allReady = ready.size() == spec.components().size();
    if (!allReady) {
      String message =
          notReady.isEmpty() ? "waiting for required components" : String.join("\n", notReady);
      pass.draft.condition(StatusDraft.READY, false, "Deploying", message);
      pass.draft.phase(EnvironmentPhase.Deploying, "Deploying", message);
    }
    return allReady;
  }

  private void prune(Pass pass, String namespace, Map<String, List<Manifest>> rendered) {
    Set<Manifest.ObjectKey> keep = new LinkedHashSet<>();
    rendered.values().forEach(list -> list.forEach(m -> keep.add(m.key())));
    pass.environmentObjects().forEach(m -> keep.add(m.key()));
    try {
      List<Manifest.ObjectKey> deleted =
          applier.prune(namespace, pass.environment.getMetadata().getName(), keep);
      if (!deleted.isEmpty()) {
        pass.draft.event("Normal", "Pruned", "removed " + deleted);
      }
    } catch (ApplyException e) {
      throw pass.fail(
          StatusDraft.APPLIED, "PruneFailed", e.getMessage(), Optional.of(config.retryInterval()));
    }
  }

  // ---- publish ---------------------------------------------------------------------------------

  private void publish(Pass pass, StackSpec spec, String namespace) {
    String name = pass.environment.getMetadata().getName();
    List<String> urls =
        spec.ingress().map(i -> List.of("http://" + i.hostFor(name))).orElse(List.of());
    pass.draft.urls(urls);
    if (pass.draft.expiresAt().isEmpty()) {
      pass.draft.expiresAt(expiry(pass, spec, clock.instant()));
    }
    String message = urls.isEmpty() ? "ready in namespace " + namespace : "ready at " + urls.get(0);
    pass.draft.condition(StatusDraft.READY, true, "Ready", message);
    pass.draft.phase(EnvironmentPhase.Ready, "Ready", message);
    pass.flush();
  }

  /**
   * When the environment expires: its requested TTL (or the stack's default) from {@code from} (its
   * admission), capped by the stack's max from its creation. An invalid requested TTL falls back to
   * the default, and says so.
   */
  private Instant expiry(Pass pass, StackSpec spec, Instant from) {
    Environment environment = pass.environment;
    Instant created =
        environment.getMetadata().getCreationTimestamp() == null
            ? clock.instant()
            : Instant.parse(environment.getMetadata().getCreationTimestamp());
    Optional<Duration> requested;
    try {
      requested = TtlPolicy.parse(environment.getSpec().ttl());
    } catch (InvalidTtlException e) {
      pass.draft.event("Warning", "InvalidTtl", e.getMessage() + "; using the stack's default");
      requested = Optional.empty();
    }
    TtlPolicy.Expiry expiry = TtlPolicy.expiresAt(created, from, requested, spec.ttl());
    if (expiry.capped()) {
      pass.draft.event("Normal", "TtlCapped", expiry.reason());
    }
    return expiry.at();
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static ComponentStatus emptyStatus(ComponentSpec component, Pass pass) {
    String sha =
        pass.draft.resolvedRefs().stream()
            .filter(r -> r.component().equals(component.name()))
            .map(ResolvedRef::sha)
            .findFirst()
            .orElse(null);
    return new ComponentStatus(
        component.name(), null, null, null, DeployPhase.Waiting, null, sha, null, null);
  }

  private static ComponentStatus with(ComponentStatus status, DeployPhase phase, String message) {
    return new ComponentStatus(
        status.name(),
        status.image(),
        status.imageBuild(),
        status.imagePhase(),
        phase,
        message,
        status.commitSha(),
        status.appliedHash(),
        status.appliedAt());
  }

  /** Components ordered so that each comes after what it requires (the spec has no cycles). */
  static List<ComponentSpec> inRequiresOrder(StackSpec spec) {
    Map<String, ComponentSpec> byName = new LinkedHashMap<>();
    spec.components().forEach(c -> byName.put(c.name(), c));
    List<ComponentSpec> ordered = new ArrayList<>();
    Set<String> placed = new LinkedHashSet<>();
    while (ordered.size() < byName.size()) {
      boolean progressed = false;
      for (ComponentSpec component : byName.values()) {
        if (!placed.contains(component.name()) && placed.containsAll(component.requires())) {
          ordered.add(component);
          placed.add(component.name());
          progressed = true;
        }
      }
      if (!progressed) {
        throw new IllegalStateException("requires cycle in spec " + spec.name());
      }
    }
    return ordered;
  }

  static String hash(List<Manifest> manifests) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (Manifest manifest : manifests) {
        digest.update(canonical(manifest.object()).getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
      }
      return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String canonical(Object value) {
    if (value instanceof Map<?, ?> map) {
      return new TreeMap<>(map)
          .entrySet().stream()
              .map(e -> e.getKey() + "=" + canonical(e.getValue()))
              .collect(Collectors.joining(",", "{", "}"));
    }
    if (value instanceof List<?> list) {
      return list.stream()
          .map(EnvironmentPipeline::canonical)
          .collect(Collectors.joining(",", "[", "]"));
    }
    return String.valueOf(value);
  }

  private static java.util.stream.Collector<CharSequence, ?, String> joinLines() {
    return Collectors.joining("\n");
  }
}

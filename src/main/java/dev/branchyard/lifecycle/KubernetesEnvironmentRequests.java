package dev.branchyard.lifecycle;

import dev.branchyard.spec.ComponentSpec;
import dev.branchyard.spec.LoadedSpec;
import dev.branchyard.spec.SpecCatalog;
import dev.branchyard.spec.StackSpec;
import dev.branchyard.spec.Ttl;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * {@link EnvironmentRequests} on the Kubernetes API: Environments in Branchyard's own namespace
 * (the client's), written with optimistic locking so that concurrent requests for one environment
 * never lose each other's changes.
 */
@ApplicationScoped
public class KubernetesEnvironmentRequests implements EnvironmentRequests {

  private static final Logger LOG = Logger.getLogger(KubernetesEnvironmentRequests.class);

  /** Conflicts a request survives before giving up; a storm of deliveries for one PR needs many. */
  private static final int MAX_CONFLICTS = 50;

  /** How many environments' last written state is kept (a few KB each). */
  private static final int KNOWN_ENVIRONMENTS = 4096;

  /** Runs the batches of upserts that gathered while an earlier write of theirs was in flight. */
  private static final Executor WRITERS =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "environment-upserts");
            thread.setDaemon(true);
            return thread;
          });

  private final KubernetesClient client;
  private final SpecCatalog catalog;
  private final EventRecorder events;
  private final Clock clock;

  /**
   * What this process last wrote or read of each environment it upserted: the next write's base.
   */
  private final KnownEnvironments known = new KnownEnvironments(KNOWN_ENVIRONMENTS);

  /** Upserts of one environment in flight together become one write. */
  private final GroupCommit<String, Upsert, Upserted> writes;

  public KubernetesEnvironmentRequests(
      KubernetesClient client, SpecCatalog catalog, EventRecorder events, Clock clock) {
    this.client = client;
    this.catalog = catalog;
    this.events = events;
    this.clock = clock;
    this.writes = new GroupCommit<>(this::commit, WRITERS);
  }

  @Override
  public Upserted upsert(Upsert request) {
    String name = nameFor(request.specName(), request.trigger());
    // A bad TTL fails this request alone, not the batch it would have joined.
    UpsertBatch.specOf(request, Optional.empty());
    return writes.submit(name, request);
  }

  @Override
  public List<Upserted> upsertAll(List<Upsert> batch) {
    if (batch.isEmpty()) {
      return List.of();
    }
    String name = nameFor(batch.get(0).specName(), batch.get(0).trigger());
    for (Upsert request : batch) {
      if (!name.equals(nameFor(request.specName(), request.trigger()))) {
        throw new IllegalArgumentException(
            "a batch of upserts must name one environment: "
                + name
                + " and "
                + nameFor(request.specName(), request.trigger()));
      }
      UpsertBatch.specOf(request, Optional.empty());
    }
    return writes.submitAll(name, batch);
  }

  /**
   * Writes one batch of upserts of one environment: planned on what this process last wrote or read
   * of it, written with that resourceVersion, planned again on a fresh read when anyone else wrote
   * since (or it was deleted).
   */
  private List<Upserted> commit(String name, List<Upsert> batch) {
    for (int conflicts = 0; ; conflicts++) {
      Environment base = known.get(name);
      boolean fresh = base == null || conflicts > 0;
      if (fresh) {
        base = environments().withName(name).get();
      }
      try {
        return commitOnce(name, base, batch);
      } catch (KubernetesClientException e) {
        known.forget(name);
        boolean stale = isConflict(e) || (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND);
        if (!stale || conflicts >= MAX_CONFLICTS) {
          throw e;
        }
        if (fresh) {
          // Someone else wrote it between this read and this write: let them finish.
          pause(conflicts);
        }
      } catch (RuntimeException e) {
        known.forget(name);
        throw e;
      }
    }
  }

  private List<Upserted> commitOnce(String name, Environment existing, List<Upsert> batch) {
    if (existing != null && existing.getMetadata().getDeletionTimestamp() != null) {
      throw new IllegalStateException(
          "environment "
              + name
              + " is still being torn down; ask again once its namespace is gone");
    }
    Optional<UpsertBatch.Recorded> recorded =
        Optional.ofNullable(existing)
            .map(
                e ->
                    new UpsertBatch.Recorded(
                        e.getSpec(),
                        instant(annotation(e, REQUESTED_AT_ANNOTATION), REQUESTED_AT_ANNOTATION)));
    UpsertBatch.Plan plan = UpsertBatch.plan(recorded, batch);
    if (plan.write().isPresent()) {
      UpsertBatch.Write write = plan.write().get();
      Environment written;
      if (write.create()) {
        Environment created = new Environment(name, write.spec());
        created.getMetadata().setLabels(labels(write.last()));
        created.getMetadata().setAnnotations(annotations(write.last(), Map.of()));
        written = environments().resource(created).create();
        LOG.infof("environment %s requested for %s", name, describe(write.last().trigger()));
      } else {
        // A copy: what is known stays what the API server holds until the write succeeds.
        Environment changed = new Environment(name, write.spec());
        changed.setMetadata(new ObjectMetaBuilder(existing.getMetadata()).build());
        changed.getMetadata().setAnnotations(annotations(write.last(), annotationsOf(existing)));
        // Keeps the read resourceVersion: the API server refuses the write if anyone wrote since.
        written = environments().resource(changed).update();
        if (!write.spec().equals(existing.getSpec())) {
          LOG.infof("environment %s moved to %s", name, describe(write.last().trigger()));
        }
      }
      known.put(name, written);
    } else if (existing != null) {
      known.put(name, existing);
    }
    return plan.outcomes().stream().map(outcome -> new Upserted(name, outcome)).toList();
  }

  @Override
  public List<String> destroy(Selector selector, String reason, String requestedBy) {
    List<Environment> doomed = find(selector);
    for (Environment environment : doomed) {
      events.normal(environment, "DestroyRequested", reason + " (by " + requestedBy + ")");
      known.forget(environment.getMetadata().getName());
      environments().withName(environment.getMetadata().getName()).delete();
      LOG.infof(
          "environment %s: deletion requested by %s: %s",
          environment.getMetadata().getName(), requestedBy, reason);
    }
    return doomed.stream().map(e -> e.getMetadata().getName()).toList();
  }

  @Override
  public boolean destroy(String name, String reason, String requestedBy) {
    Optional<Environment> environment = get(name);
    if (environment.isEmpty()) {
      return false;
    }
    events.normal(environment.get(), "DestroyRequested", reason + " (by " + requestedBy + ")");
    known.forget(name);
    environments().withName(name).delete();
    LOG.infof("environment %s: deletion requested by %s: %s", name, requestedBy, reason);
    return true;
  }

  @Override
  public Instant extend(String name, Duration by, String requestedBy) {
    for (int conflicts = 0; ; conflicts++) {
      Environment environment = require(name);
      Instant now = clock.instant();
      Instant created = createdAt(environment, now);
      Ttl ttl = stack(environment).map(StackSpec::ttl).orElseGet(Ttl::defaults);
      Instant current = currentExpiry(environment, created, ttl);
      TtlPolicy.Extension extension = TtlPolicy.extend(current, by, created, now, ttl);
      if (extension instanceof TtlPolicy.Extension.Refused refused) {
        throw new ExtensionRefusedException(refused.reason());
      }
      Instant until = ((TtlPolicy.Extension.Extended) extension).expiresAt();
      Map<String, String> annotations = annotationsOf(environment);
      annotations.put(EXPIRES_AT_ANNOTATION, until.toString());
      environment.getMetadata().setAnnotations(annotations);
      try {
        known.forget(name);
        environments().resource(environment).update();
      } catch (KubernetesClientException e) {
        if (!isConflict(e) || conflicts >= MAX_CONFLICTS) {
          throw e;
        }
        pause(conflicts);
        continue;
      }
      events.normal(
          environment,
          "Extended",
          "extended by " + by + " to " + until + " (by " + requestedBy + ")");
      return until;
    }
  }

  @Override
  public void rebuild(String name, Optional<String> component, String requestedBy) {
    for (int conflicts = 0; ; conflicts++) {
      Environment environment = require(name);
      if (component.isPresent()) {
        Optional<StackSpec> stack = stack(environment);
        if (stack.isPresent() && stack.get().component(component.get()).isEmpty()) {
          throw new IllegalArgumentException(
              "stack "
                  + stack.get().name()
                  + " has no component '"
                  + component.get()
                  + "'; its components are "
                  + stack.get().components().stream()
                      .map(ComponentSpec::name)
                      .collect(Collectors.joining(", ")));
        }
      }
      Map<String, String> annotations = annotationsOf(environment);
      annotations.put(REBUILD_ANNOTATION, clock.instant() + ";" + component.orElse("*"));
      environment.getMetadata().setAnnotations(annotations);
      try {
        known.forget(name);
        environments().resource(environment).update();
      } catch (KubernetesClientException e) {
        if (!isConflict(e) || conflicts >= MAX_CONFLICTS) {
          throw e;
        }
        pause(conflicts);
        continue;
      }
      events.normal(
          environment,
          "RebuildRequested",
          "rebuild of " + component.orElse("every component") + " (by " + requestedBy + ")");
      return;
    }
  }

  @Override
  public Optional<Environment> get(String name) {
    return Optional.ofNullable(environments().withName(name).get());
  }

  @Override
  public List<Environment> find(Selector selector) {
    Map<String, String> labels = new HashMap<>();
    selector.specName().ifPresent(s -> labels.put(SPEC_LABEL, s));
    selector.repo().ifPresent(r -> labels.put(REPO_LABEL, EnvironmentNames.repoLabel(r)));
    selector.pullRequest().ifPresent(n -> labels.put(PULL_REQUEST_LABEL, Integer.toString(n)));
    var listed =
        labels.isEmpty() ? environments().list() : environments().withLabels(labels).list();
    return listed.getItems().stream()
        // Labels of a hashed repo could in theory collide: the annotation tells for sure.
        .filter(
            e -> selector.repo().map(r -> r.equals(annotation(e, REPO_ANNOTATION))).orElse(true))
        .sorted(
            Comparator.comparing(
                    (Environment e) ->
                        Objects.requireNonNullElse(e.getMetadata().getCreationTimestamp(), ""))
                .thenComparing(e -> e.getMetadata().getName()))
        .toList();
  }

  /** The name of the environment a trigger of this stack is about. */
  public static String nameFor(String specName, Trigger trigger) {
    if (trigger.pullRequest() != null) {
      return EnvironmentNames.forPullRequest(specName, trigger.repo(), trigger.pullRequest());
    }
    if (trigger.branch() == null || trigger.branch().isBlank()) {
      throw new IllegalArgumentException(
          "a request without a pull request must name a branch: which branch of "
              + trigger.repo()
              + " should the environment follow?");
    }
    return EnvironmentNames.forBranch(specName, trigger.repo(), trigger.branch());
  }

  private static Map<String, String> labels(Upsert request) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(SPEC_LABEL, request.specName());
    labels.put(REPO_LABEL, EnvironmentNames.repoLabel(request.trigger().repo()));
    if (request.trigger().pullRequest() != null) {
      labels.put(PULL_REQUEST_LABEL, Integer.toString(request.trigger().pullRequest()));
    }
    return labels;
  }

  private static Map<String, String> annotations(Upsert request, Map<String, String> existing) {
    Map<String, String> annotations = new LinkedHashMap<>(existing);
    annotations.put(REPO_ANNOTATION, request.trigger().repo());
    annotations.put(REQUESTED_AT_ANNOTATION, request.requestedAt().toString());
    return annotations;
  }

  private Environment require(String name) {
    return get(name).orElseThrow(() -> new EnvironmentNotFoundException(name));
  }

  private Optional<StackSpec> stack(Environment environment) {
    return catalog.get(environment.getSpec().specName()).map(LoadedSpec::spec);
  }

  private static Instant createdAt(Environment environment, Instant fallback) {
    String created = environment.getMetadata().getCreationTimestamp();
    return created == null ? fallback : Instant.parse(created);
  }

  private static Instant currentExpiry(Environment environment, Instant created, Ttl ttl) {
    Optional<Instant> status =
        Optional.ofNullable(environment.getStatus())
            .map(EnvironmentStatus::expiresAt)
            .flatMap(at -> instant(at, "status.expiresAt"));
    Optional<Instant> extended =
        instant(annotation(environment, EXPIRES_AT_ANNOTATION), EXPIRES_AT_ANNOTATION);
    Instant fromTtl =
        TtlPolicy.expiresAt(created, created, TtlPolicy.parse(environment.getSpec().ttl()), ttl)
            .at();
    Instant current = status.orElse(fromTtl);
    return extended.filter(e -> e.isAfter(current)).orElse(current);
  }

  private static String annotation(Environment environment, String key) {
    ObjectMeta meta = environment.getMetadata();
    return meta.getAnnotations() == null ? null : meta.getAnnotations().get(key);
  }

  private static Map<String, String> annotationsOf(Environment environment) {
    Map<String, String> annotations = environment.getMetadata().getAnnotations();
    return annotations == null ? new LinkedHashMap<>() : new LinkedHashMap<>(annotations);
  }

  private static Optional<Instant> instant(String text, String what) {
    if (text == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      LOG.warnf("ignoring %s '%s': not an RFC 3339 instant", what, text);
      return Optional.empty();
    }
  }

  private static String describe(Trigger trigger) {
    return trigger.repo()
        + (trigger.pullRequest() == null ? "" : "#" + trigger.pullRequest())
        + (trigger.headSha() == null ? "" : " at " + trigger.headSha());
  }

  private static boolean isConflict(KubernetesClientException e) {
    return e.getCode() == HttpURLConnection.HTTP_CONFLICT;
  }

  private static void pause(int conflicts) {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(5, 20L + 10L * Math.min(conflicts, 10)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while retrying a conflicting write", e);
    }
  }

  private NonNamespaceOperation<
          Environment, KubernetesResourceList<Environment>, Resource<Environment>>
      environments() {
    return client.resources(Environment.class).inNamespace(client.getNamespace());
  }
}

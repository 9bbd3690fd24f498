package dev.branchyard.lifecycle;

import dev.branchyard.spec.ComponentSpec;
import dev.branchyard.spec.LoadedSpec;
import dev.branchyard.spec.SpecCatalog;
import dev.branchyard.spec.StackSpec;
import dev.branchyard.spec.Ttl;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ObjectMeta;
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

  private final KubernetesClient client;
  private final SpecCatalog catalog;
  private final EventRecorder events;
  private final Clock clock;

  public KubernetesEnvironmentRequests(
      KubernetesClient client, SpecCatalog catalog, EventRecorder events, Clock clock) {
    this.client = client;
    this.catalog = catalog;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public Upserted upsert(Upsert request) {
    Trigger trigger = request.trigger();
    String name = nameFor(request.specName(), trigger);
    for (int conflicts = 0; ; conflicts++) {
      try {
        return upsertOnce(name, request);
      } catch (KubernetesClientException e) {
        if (!isConflict(e) || conflicts >= MAX_CONFLICTS) {
          throw e;
        }
        pause(conflicts);
      }
    }
  }

  private Upserted upsertOnce(String name, Upsert request) {
    Environment existing = environments().withName(name).get();
    if (existing == null) {
      Environment created = new Environment(name, specOf(request, Optional.empty()));
      created.getMetadata().setLabels(labels(request));
      created.getMetadata().setAnnotations(annotations(request, Map.of()));
      environments().resource(created).create();
      LOG.infof("environment %s requested for %s", name, describe(request.trigger()));
      return new Upserted(name, Upserted.Outcome.CREATED);
    }
    if (existing.getMetadata().getDeletionTimestamp() != null) {
      throw new IllegalStateException(
          "environment "
              + name
              + " is still being torn down; ask again once its namespace is gone");
    }
    Optional<Instant> recorded =
        instant(annotation(existing, REQUESTED_AT_ANNOTATION), REQUESTED_AT_ANNOTATION);
    if (recorded.isPresent() && request.requestedAt().isBefore(recorded.get())) {
      return new Upserted(name, Upserted.Outcome.STALE);
    }
    EnvironmentSpec wanted = specOf(request, Optional.ofNullable(existing.getSpec()));
    if (wanted.equals(existing.getSpec())
        && recorded.isPresent()
        && !request.requestedAt().isAfter(recorded.get())) {
      return new Upserted(name, Upserted.Outcome.UNCHANGED);
    }
    boolean moved = !wanted.equals(existing.getSpec());
    existing.setSpec(wanted);
    existing.getMetadata().setAnnotations(annotations(request, annotationsOf(existing)));
    // Keeps the read resourceVersion: the API server refuses the write if anyone wrote since.
    environments().resource(existing).update();
    if (moved) {
      LOG.infof("environment %s moved to %s", name, describe(request.trigger()));
    }
    return new Upserted(name, moved ? Upserted.Outcome.UPDATED : Upserted.Outcome.UNCHANGED);
  }

  @Override
  public List<String> destroy(Selector selector, String reason, String requestedBy) {
    List<Environment> doomed = find(selector);
    for (Environment environment : doomed) {
      events.normal(environment, "DestroyRequested", reason + " (by " + requestedBy + ")");
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

  private EnvironmentSpec specOf(Upsert request, Optional<EnvironmentSpec> existing) {
    String ttl = request.ttl().orElse(existing.map(EnvironmentSpec::ttl).orElse(null));
    if (ttl != null) {
      TtlPolicy.parse(ttl);
    }
    return new EnvironmentSpec(request.specName(), request.trigger(), ttl);
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

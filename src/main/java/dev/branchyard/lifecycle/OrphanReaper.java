package dev.branchyard.lifecycle;

import dev.branchyard.deploy.EnvironmentLabels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Compares environment namespaces with Environments, both ways, every {@code
 * branchyard.lifecycle.reaper.interval}, on the leader only.
 *
 * <p><b>Orphans.</b> A namespace labelled {@code managed-by=branchyard} and {@code
 * branchyard.dev/home=<this namespace>} belongs to the Environment named by its {@code
 * branchyard.dev/environment} label, and to the one with the uid in its {@code
 * branchyard.dev/environment-uid} annotation when it has one. When no such Environment exists (none
 * of that name, or one of that name with another uid: the old one was deleted and a new one made)
 * and the namespace is older than {@code branchyard.lifecycle.reaper.grace}, it is deleted, with an
 * info log and an {@code OrphanNamespaceDeleted} event on the (gone) Environment in this namespace.
 * Namespaces of other home namespaces, without the environment label, or already terminating are
 * left alone.
 *
 * <p><b>Repairs.</b> An Environment in phase {@code Ready} whose {@code status.namespace} no longer
 * exists (deleted by hand) gets a {@code NamespaceMissing} warning event and the annotation {@value
 * #RECONCILE_REQUESTED}{@code =<now>}: the change makes the controller reconcile it again, which
 * re-creates the namespace and everything in it. (An annotation change does not bump the
 * generation: the Environment controller must not filter such updates out, see {@link
 * #RECONCILE_REQUESTED}.)
 */
@ApplicationScoped
public class OrphanReaper {

  /**
   * Annotation on an Environment: when something asked the controller to reconcile it again (RFC
   * 3339). The Environment controller must react to changes of it, e.g. with generation-aware event
   * filtering off or an update filter that accepts a change of this annotation.
   */
  public static final String RECONCILE_REQUESTED = "branchyard.dev/reconcile-requested";

  private static final Logger LOG = Logger.getLogger(OrphanReaper.class);

  private final KubernetesClient client;
  private final Clock clock;
  private final Duration grace;
  private final Leadership leadership;
  private final EventRecorder events;

  @Inject
  OrphanReaper(
      KubernetesClient client,
      Clock clock,
      LifecycleConfig config,
      Leadership leadership,
      EventRecorder events) {
    this(client, clock, config.reaper().grace(), leadership, events);
  }

  /** A reaper for the environments of {@code client}'s namespace. */
  public OrphanReaper(
      KubernetesClient client,
      Clock clock,
      Duration grace,
      Leadership leadership,
      EventRecorder events) {
    this.client = client;
    this.clock = clock;
    this.grace = grace;
    this.leadership = leadership;
    this.events = events;
  }

  @Scheduled(
      identity = "orphan-reaper",
      every = "${branchyard.lifecycle.reaper.interval:5m}",
      concurrentExecution = ConcurrentExecution.SKIP)
  void onSchedule() {
    reap();
  }

  /**
   * One pass: deletes orphaned namespaces and asks for the repair of Ready environments whose
   * namespace is gone. Does nothing unless this replica is the leader.
   */
  public Reaped reap() {
    if (!leadership.isLeader()) {
      LOG.debug("not the leader: skipping the orphan reaper");
      return new Reaped(List.of(), List.of());
    }
    String home = client.getNamespace();
    Map<String, Environment> environments;
    List<Namespace> namespaces;
    try {
      environments =
          client.resources(Environment.class).inNamespace(home).list().getItems().stream()
              .collect(Collectors.toMap(e -> e.getMetadata().getName(), e -> e));
      namespaces =
          client
              .namespaces()
              .withLabel(EnvironmentLabels.MANAGED_BY, EnvironmentLabels.MANAGED_BY_VALUE)
              .withLabel(EnvironmentLabels.HOME_NAMESPACE, home)
              .list()
              .getItems();
    } catch (KubernetesClientException e) {
      LOG.warnf("orphan reaper: cannot list environments and namespaces: %s", e.getMessage());
      return new Reaped(List.of(), List.of());
    }
    Instant now = clock.instant();
    List<String> deleted = new ArrayList<>();
    for (Namespace namespace : namespaces) {
      try {
        if (reapIfOrphan(namespace, environments, home, now)) {
          deleted.add(namespace.getMetadata().getName());
        }
      } catch (KubernetesClientException e) {
        LOG.warnf(
            "orphan reaper: namespace %s: %s; trying again next time",
            namespace.getMetadata().getName(), e.getMessage());
      }
    }
    Set<String> labelled =
        namespaces.stream().map(n -> n.getMetadata().getName()).collect(Collectors.toSet());
    List<String> repairs = new ArrayList<>();
    for (Environment environment : environments.values()) {
      try {
        if (requestRepairIfNamespaceGone(environment, labelled, now)) {
          repairs.add(environment.getMetadata().getName());
        }
      } catch (KubernetesClientException e) {
        LOG.warnf(
            "orphan reaper: environment %s: %s; trying again next time",
            environment.getMetadata().getName(), e.getMessage());
      }
    }
    return new Reaped(deleted, repairs);
  }

  /**
   * What one pass did.
   *
   * @param deletedNamespaces the orphaned namespaces it deleted
   * @param repairsRequested the Environments it asked the controller to reconcile again
   */
  public record Reaped(List<String> deletedNamespaces, List<String> repairsRequested) {}

  private boolean reapIfOrphan(
      Namespace namespace, Map<String, Environment> environments, String home, Instant now) {
    var meta = namespace.getMetadata();
    String environmentName = labelOf(namespace, EnvironmentLabels.ENVIRONMENT);
    if (environmentName == null || meta.getDeletionTimestamp() != null) {
      return false;
    }
    Optional<String> uid =
        Optional.ofNullable(meta.getAnnotations())
            .map(a -> a.get(EnvironmentLabels.ENVIRONMENT_UID))
            .filter(u -> !u.isBlank());
    Environment owner = environments.get(environmentName);
    boolean ownerExists =
        owner != null && uid.map(u -> u.equals(owner.getMetadata().getUid())).orElse(true);
    if (ownerExists) {
      return false;
    }
    Optional<Instant> created = ResourceTimes.parse(meta.getCreationTimestamp());
    if (created.isEmpty() || now.isBefore(created.get().plus(grace))) {
      return false;
    }
    client.namespaces().withName(meta.getName()).delete();
    String why =
        owner == null
            ? "its Environment " + environmentName + " no longer exists"
            : "its Environment " + environmentName + " was replaced by a new one (another uid)";
    LOG.infof("deleted orphaned namespace %s: %s", meta.getName(), why);
    events.record(
        new ObjectReferenceBuilder()
            .withApiVersion(Environment.GROUP + "/" + Environment.VERSION)
            .withKind("Environment")
            .withNamespace(home)
            .withName(environmentName)
            .withUid(uid.orElse(null))
            .build(),
        "Normal",
        "OrphanNamespaceDeleted",
        "deleted namespace " + meta.getName() + ": " + why);
    return true;
  }

  private boolean requestRepairIfNamespaceGone(
      Environment environment, Set<String> labelled, Instant now) {
    EnvironmentStatus status = environment.getStatus();
    if (environment.getMetadata().getDeletionTimestamp() != null
        || status == null
        || status.phase() != EnvironmentPhase.Ready
        || status.namespace() == null
        || labelled.contains(status.namespace())
        || client.namespaces().withName(status.namespace()).get() != null) {
      return false;
    }
    String name = environment.getMetadata().getName();
    String patch =
        "{\"metadata\":{\"annotations\":{\""
            + RECONCILE_REQUESTED
            + "\":\""
            + now.truncatedTo(ChronoUnit.SECONDS)
            + "\"}}}";
    client
        .resources(Environment.class)
        .inNamespace(environment.getMetadata().getNamespace())
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    LOG.infof(
        "environment %s is Ready but its namespace %s is gone: asked for a repair",
        name, status.namespace());
    events.warning(
        environment,
        "NamespaceMissing",
        "namespace "
            + status.namespace()
            + " no longer exists; reconciling again to re-create the environment");
    return true;
  }

  private static String labelOf(HasMetadata object, String label) {
    Map<String, String> labels = object.getMetadata().getLabels();
    return labels == null ? null : labels.get(label);
  }
}

package dev.branchyard.deploy;

import dev.branchyard.deploy.ApiDiscovery.GroupKind;
import dev.branchyard.deploy.ReadinessRules.PodProblem;
import dev.branchyard.deploy.ReadinessRules.Verdict;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the live state of applied objects: Deployments, StatefulSets and DaemonSets are ready when
 * rolled out and available, Jobs when complete, bare pods when Ready, claims when Bound, anything
 * else once it exists. For a workload that is not ready it names the pod that is not and why
 * (container state, scheduling), with the most recent Warning events of the pod and the workload.
 *
 * <p>One look, no waiting: the controller calls it again on its own schedule. API errors propagate
 * (the reconcile retries them).
 */
@ApplicationScoped
public class KubernetesReadiness implements ReadinessChecker {

  /** Enough events to explain, few enough to read in a status line. */
  static final int WARNINGS = 3;

  private static final GroupKind DEPLOYMENT = new GroupKind("apps", "Deployment");
  private static final GroupKind STATEFUL_SET = new GroupKind("apps", "StatefulSet");
  private static final GroupKind DAEMON_SET = new GroupKind("apps", "DaemonSet");
  private static final GroupKind JOB = new GroupKind("batch", "Job");
  private static final GroupKind POD = new GroupKind("", "Pod");
  private static final GroupKind CLAIM = new GroupKind("", "PersistentVolumeClaim");

  private final KubernetesClient client;
  private final ApiDiscovery discovery;

  @Inject
  public KubernetesReadiness(KubernetesClient client, ApiDiscovery discovery) {
    this.client = client;
    this.discovery = discovery;
  }

  @Override
  public Readiness check(String namespace, List<Manifest> manifests) {
    List<NotReady> notReady = new ArrayList<>();
    for (Manifest manifest : manifests) {
      check(namespace, manifest).ifPresent(notReady::add);
    }
    return new Readiness(notReady);
  }

  private Optional<NotReady> check(String namespace, Manifest manifest) {
    Optional<ResourceDefinitionContext> context =
        discovery.resolve(manifest.apiVersion(), manifest.kind(), false);
    if (context.isEmpty()) {
      return Optional.of(
          notReady(
              manifest,
              "UnknownKind",
              "the cluster serves no kind " + manifest.kind() + " in " + manifest.apiVersion(),
              true));
    }
    var resources = client.genericKubernetesResources(context.get());
    GenericKubernetesResource live =
        context.get().isNamespaceScoped()
            ? resources.inNamespace(namespace).withName(manifest.name()).get()
            : resources.withName(manifest.name()).get();
    if (live == null) {
      return Optional.of(
          notReady(
              manifest, "NotFound", manifest.key() + " does not exist in " + namespace, false));
    }
    GroupKind kind = GroupKind.of(manifest.apiVersion(), manifest.kind());
    Verdict verdict;
    LabelSelector selector = null;
    if (kind.equals(DEPLOYMENT)) {
      Deployment deployment = as(live, Deployment.class);
      verdict = ReadinessRules.deployment(deployment);
      selector = deployment.getSpec() == null ? null : deployment.getSpec().getSelector();
    } else if (kind.equals(STATEFUL_SET)) {
      StatefulSet statefulSet = as(live, StatefulSet.class);
      verdict = ReadinessRules.statefulSet(statefulSet);
      selector = statefulSet.getSpec() == null ? null : statefulSet.getSpec().getSelector();
    } else if (kind.equals(DAEMON_SET)) {
      DaemonSet daemonSet = as(live, DaemonSet.class);
      verdict = ReadinessRules.daemonSet(daemonSet);
      selector = daemonSet.getSpec() == null ? null : daemonSet.getSpec().getSelector();
    } else if (kind.equals(JOB)) {
      Job job = as(live, Job.class);
      verdict = ReadinessRules.job(job);
      selector = job.getSpec() == null ? null : job.getSpec().getSelector();
    } else if (kind.equals(POD)) {
      verdict = ReadinessRules.pod(as(live, Pod.class));
    } else if (kind.equals(CLAIM)) {
      verdict = ReadinessRules.persistentVolumeClaim(as(live, PersistentVolumeClaim.class));
    } else {
      verdict = Verdict.READY;
    }
    if (verdict.ready()) {
      return Optional.empty();
    }
    return Optional.of(explain(namespace, manifest, live, verdict, selector));
  }

  /** Adds the first not-ready pod (for workloads) and recent warnings to the verdict. */
  private NotReady explain(
      String namespace,
      Manifest manifest,
      GenericKubernetesResource live,
      Verdict verdict,
      LabelSelector selector) {
    boolean failed = verdict.state() == ReadinessRules.State.FAILED;
    String reason = verdict.reason();
    StringBuilder message = new StringBuilder(verdict.message());
    List<Event> events = new ArrayList<>(eventsOf(namespace, live.getMetadata().getUid()));
    if (selector != null) {
      List<Pod> pods =
          client.pods().inNamespace(namespace).withLabelSelector(selector).list().getItems();
      Optional<Pod> pod = ReadinessRules.firstNotReady(pods);
      if (pod.isPresent()) {
        PodProblem problem = ReadinessRules.problem(pod.get()).orElseThrow();
        // The pod's reason (ImagePullBackOff, Unschedulable) says more than "unavailable";
        // a definite verdict (ProgressDeadlineExceeded) keeps its own.
        if (!failed) {
          reason = problem.reason();
        }
        message.append("; ").append(problem.message());
        events.addAll(eventsOf(namespace, pod.get().getMetadata().getUid()));
      }
    }
    List<String> warnings = ReadinessRules.recentWarnings(events, WARNINGS);
    if (!warnings.isEmpty()) {
      message.append("; recent warnings: ").append(String.join("; ", warnings));
    }
    return notReady(manifest, reason, message.toString(), failed);
  }

  private List<Event> eventsOf(String namespace, String uid) {
    return client
        .v1()
        .events()
        .inNamespace(namespace)
        .withField("involvedObject.uid", uid)
        .list()
        .getItems();
  }

  private <T> T as(GenericKubernetesResource live, Class<T> type) {
    return client.getKubernetesSerialization().convertValue(live, type);
  }

  private static NotReady notReady(
      Manifest manifest, String reason, String message, boolean failed) {
    return new NotReady(manifest.component(), manifest.key(), reason, message, failed);
  }
}

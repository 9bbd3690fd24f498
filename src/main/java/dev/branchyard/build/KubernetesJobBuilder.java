package dev.branchyard.build;

import dev.branchyard.build.BuildJobState.ContainerState;
import dev.branchyard.build.BuildJobState.Phase;
import dev.branchyard.build.BuildResult.Failed;
import dev.branchyard.build.BuildResult.Reason;
import dev.branchyard.build.BuildResult.Succeeded;
import dev.branchyard.git.RepoLocator;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.ScalableResource;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * {@link ImageBuilder} running each build as a {@code batch/v1} Job in Branchyard's own namespace:
 * the {@code kubernetes-job} backend, for production. The Job (see {@link BuildJobSpec}) fetches
 * the commit in an init container and runs {@code buildah bud} and {@code push} in the main one;
 * this class creates it, follows it until it ends, streams the build container's log to the {@link
 * BuildLog} and turns the outcome into a {@link BuildResult}.
 *
 * <p>The Job's name follows from the image, so a restarted Branchyard finds the Job of a build it
 * had started: a Job still running is followed rather than duplicated, a finished one is deleted
 * and replaced. A finished Job stays for {@code branchyard.build.job.ttl-after-finished} for
 * inspection; a cancelled or overdue one is deleted at once, its pod with it.
 *
 * <p>Time: the Job's {@code activeDeadlineSeconds} is {@code branchyard.build.timeout}, enforced by
 * Kubernetes; should a Job still not have ended a grace period later (an adopted Job with a longer
 * deadline, a stalled Job controller), this class deletes it and reports {@code TIMEOUT}. The Job
 * and its pod are looked at every {@code branchyard.build.job.poll-interval}; transient API errors
 * are retried until then.
 */
public final class KubernetesJobBuilder implements ImageBuilder {

  private static final Logger LOG = Logger.getLogger(KubernetesJobBuilder.class);

  /** How long after {@code branchyard.build.timeout} a Job that has not ended is given up. */
  static final Duration DEADLINE_GRACE = Duration.ofMinutes(1);

  /** How long the last log lines of an ended build container may take to arrive. */
  private static final Duration LOG_DRAIN = Duration.ofSeconds(5);

  /** How long a finished Job being replaced may take to disappear. */
  private static final Duration DELETE_TIMEOUT = Duration.ofMinutes(1);

  /** The label the Job controller puts on a Job's pods, unique per Job. */
  private static final String CONTROLLER_UID = "controller-uid";

  private static final String PREFIX = "branchyard: ";

  private final KubernetesClient client;
  private final ImageRegistry registry;
  private final RepoLocator repos;
  private final BuildConfig config;
  private final Clock clock;
  private final BuildJobSpec spec;
  private final Duration deadlineGrace;

  /**
   * @param client a client whose namespace is Branchyard's own: Jobs run there, and the Secrets
   *     they read live there
   * @param registry asked for the pushed image's digest once a Job has succeeded
   * @param repos turns a spec's repository into the URL the build pod fetches from
   * @throws IllegalStateException if the client has no namespace
   * @throws IllegalArgumentException if {@code branchyard.build.job.resources} is invalid
   */
  public KubernetesJobBuilder(
      KubernetesClient client,
      ImageRegistry registry,
      RepoLocator repos,
      BuildConfig config,
      Clock clock) {
    this(client, registry, repos, config, clock, DEADLINE_GRACE);
  }

  KubernetesJobBuilder(
      KubernetesClient client,
      ImageRegistry registry,
      RepoLocator repos,
      BuildConfig config,
      Clock clock,
      Duration deadlineGrace) {
    String namespace = client.getNamespace();
    if (namespace == null || namespace.isBlank()) {
      throw new IllegalStateException(
          "the Kubernetes client has no namespace, and build Jobs run in Branchyard's own: set"
              + " quarkus.kubernetes-client.namespace (in a pod, it is the pod's namespace)");
    }
    this.client = client;
    this.registry = registry;
    this.repos = repos;
    this.config = config;
    this.clock = clock;
    this.spec = new BuildJobSpec(config, namespace);
    this.deadlineGrace = deadlineGrace;
  }

  @Override
  public BuildResult build(BuildRequest request, BuildLog log) {
    MDC.put("build", request.target().reference());
    try {
      BuildResult result = buildLogged(request, log);
      if (result instanceof Failed failed) {
        LOG.infof("build of %s failed: %s", request.target(), failed.reason());
      } else if (result instanceof Succeeded succeeded) {
        LOG.infof(
            "built and pushed %s (%s) in %s",
            request.target(), succeeded.digest(), succeeded.took());
      }
      return result;
    } finally {
      MDC.remove("build");
    }
  }

  private BuildResult buildLogged(BuildRequest request, BuildLog log) {
    Instant start = clock.instant();
    Optional<Failed> unbuildable = BuildJobSpec.unbuildable(request);
    if (unbuildable.isPresent()) {
      return unbuildable.get();
    }
    SecretMask mask = SecretMask.of(request);
    OutputTail tail = new OutputTail();
    BuildLog masked =
        line -> {
          String safe = mask.apply(line);
          tail.add(safe);
          log.line(safe);
        };
    String name = BuildJobSpec.nameOf(request.target());
    try (PodLogStream logs =
        new PodLogStream(client, spec.namespace(), BuildJobSpec.BUILD_CONTAINER, masked)) {
      Job job = startOrAdopt(request, name, masked);
      return follow(job, request, new Following(logs, masked, mask, tail, start));
    } catch (CannotStart e) {
      return e.failure;
    } catch (InterruptedException e) {
      return cancelled(request, name, tail);
    } catch (KubernetesClientException e) {
      if (interruptedBy(e)) {
        return cancelled(request, name, tail);
      }
      return BuildFailures.failed(
          Reason.INFRASTRUCTURE,
          "the Kubernetes API failed for build Job " + name + ": " + apiProblem(e),
          tail.lines());
    }
  }

  /**
   * The Job of this build: a running one found under its name, else a new one (replacing a finished
   * one).
   */
  private Job startOrAdopt(BuildRequest request, String name, BuildLog log)
      throws InterruptedException, CannotStart {
    Job desired = spec.render(request, repos.urlOf(request.repo()));
    Instant giveUp = clock.instant().plus(DELETE_TIMEOUT);
    boolean deleteRequested = false;
    while (clock.instant().isBefore(giveUp)) {
      Job existing = jobs().withName(name).get();
      if (existing == null) {
        try {
          Job created = jobs().resource(desired).create();
          LOG.infof("created build Job %s/%s", spec.namespace(), name);
          log.line(PREFIX + "started build Job " + name + " in namespace " + spec.namespace());
          return created;
        } catch (KubernetesClientException e) {
          if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
            throw e;
          }
          // Created meanwhile (another replica during a leader change): look at it again.
          continue;
        }
      }
      if (!ours(existing)) {
        throw new CannotStart(
            "a Job named "
                + name
                + " exists in namespace "
                + spec.namespace()
                + " that Branchyard did not create (it lacks the labels "
                + BuildJobSpec.LABELS
                + "); delete or rename it");
      }
      boolean deleting = existing.getMetadata().getDeletionTimestamp() != null;
      if (!deleting && stateOf(existing, List.of()).phase() == Phase.ACTIVE) {
        LOG.infof("following build Job %s/%s, started earlier", spec.namespace(), name);
        log.line(PREFIX + "following build Job " + name + ", started earlier");
        return existing;
      }
      if (!deleting && !deleteRequested) {
        LOG.infof("replacing finished build Job %s/%s", spec.namespace(), name);
        jobs().withName(name).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        deleteRequested = true;
      }
      pause();
    }
    throw new CannotStart(
        "the earlier build Job "
            + name
            + " was still being deleted after "
            + DELETE_TIMEOUT
            + "; see kubectl describe job -n "
            + spec.namespace()
            + " "
            + name);
  }

  /** Follows {@code job} until it ends, or until Branchyard's own deadline passes. */
  private BuildResult follow(Job job, BuildRequest request, Following run)
      throws InterruptedException {
    String name = job.getMetadata().getName();
    String uid = job.getMetadata().getUid();
    Instant overdue = run.start().plus(config.timeout()).plus(deadlineGrace);
    Set<String> reported = new HashSet<>();
    List<ContainerState> lastSeen = List.of();
    String podName = null;
    BuildJobState state = stateOf(job, lastSeen);
    while (true) {
      if (!clock.instant().isBefore(overdue)) {
        deleteJob(name);
        return BuildJobOutcome.ofOverdueJob(state, name, config.timeout(), run.tail().lines());
      }
      try {
        Job current = jobs().withName(name).get();
        if (current == null || !uid.equals(current.getMetadata().getUid())) {
          return BuildFailures.failed(
              Reason.INFRASTRUCTURE,
              "the build Job " + name + " was deleted before it ended",
              run.tail().lines());
        }
        Optional<Pod> pod = newestPod(uid);
        if (pod.isPresent()) {
          podName = pod.get().getMetadata().getName();
          List<ContainerState> seen = containerStates(pod.get());
          if (!seen.isEmpty()) {
            lastSeen = seen;
          }
          for (String problem : BuildJobOutcome.problems(seen)) {
            if (reported.add(problem)) {
              run.log().line(PREFIX + "waiting: " + problem);
            }
          }
          if (started(seen, BuildJobSpec.BUILD_CONTAINER)) {
            run.logs().follow(podName);
          }
        }
        state = stateOf(current, lastSeen);
        if (state.phase() != Phase.ACTIVE) {
          run.logs().awaitEnd(LOG_DRAIN);
          return ended(state, request, podName, run);
        }
      } catch (KubernetesClientException e) {
        if (interruptedBy(e)) {
          throw new InterruptedException("interrupted while following build Job " + name);
        }
        // An API server restart or a network blip; the deadline above bounds the retries.
        LOG.warnf("could not look at build Job %s/%s: %s", spec.namespace(), name, apiProblem(e));
      }
      pause();
    }
  }

  private BuildResult ended(
      BuildJobState state, BuildRequest request, String podName, Following run) {
    ImageRef target = request.target();
    if (state.phase() == Phase.COMPLETE) {
      try {
        Optional<String> digest = registry.digestOf(target);
        if (digest.isEmpty()) {
          return BuildFailures.failed(
              Reason.INFRASTRUCTURE,
              "the build Job succeeded but " + target + " is not in the registry",
              run.tail().lines());
        }
        return new Succeeded(digest.get(), Duration.between(run.start(), clock.instant()));
      } catch (RegistryException e) {
        if (Thread.currentThread().isInterrupted()) {
          // Cancelled while asking: the Job has ended, so there is nothing left to stop.
          return BuildFailures.failed(
              Reason.CANCELLED, "the build of " + target + " was cancelled", run.tail().lines());
        }
        return BuildFailures.failed(
            Reason.INFRASTRUCTURE,
            "the build Job succeeded but the registry could not be asked for "
                + target
                + ": "
                + e.getMessage(),
            run.tail().lines());
      }
    }
    boolean fetchFailed =
        state.container(BuildJobSpec.FETCH_CONTAINER).filter(ContainerState::failed).isPresent();
    List<String> fetchTail =
        fetchFailed && podName != null ? fetchLog(podName, run.mask()) : List.of();
    return BuildJobOutcome.ofFailedJob(
        state, request, config.timeout(), run.tail().lines(), fetchTail);
  }

  /** The last lines of the fetch container's log: git's own explanation of what went wrong. */
  private List<String> fetchLog(String podName, SecretMask mask) {
    try {
      String text =
          client
              .pods()
              .inNamespace(spec.namespace())
              .withName(podName)
              .inContainer(BuildJobSpec.FETCH_CONTAINER)
              .tailingLines(BuildFailures.TAIL_LINES)
              .getLog();
      return text == null || text.isEmpty() ? List.of() : text.lines().map(mask::apply).toList();
    } catch (KubernetesClientException e) {
      LOG.debugf(e, "no log of %s/%s", podName, BuildJobSpec.FETCH_CONTAINER);
      return List.of();
    }
  }

  private Failed cancelled(BuildRequest request, String name, OutputTail tail) {
    deleteJob(name);
    Thread.currentThread().interrupt();
    return BuildFailures.failed(
        Reason.CANCELLED, "the build of " + request.target() + " was cancelled", tail.lines());
  }

  /**
   * Deletes the Job and, through garbage collection, its pod; best effort, and done even when the
   * build was cancelled, so the interrupt is held back until the request is sent.
   */
  private void deleteJob(String name) {
    boolean interrupted = Thread.interrupted();
    try {
      jobs().withName(name).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
      LOG.infof("deleted build Job %s/%s", spec.namespace(), name);
    } catch (KubernetesClientException e) {
      LOG.warnf(
          "could not delete build Job %s/%s (%s); it ends at its deadline or by kubectl delete",
          spec.namespace(), name, apiProblem(e));
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private NonNamespaceOperation<Job, JobList, ScalableResource<Job>> jobs() {
    return client.batch().v1().jobs().inNamespace(spec.namespace());
  }

  private Optional<Pod> newestPod(String jobUid) {
    return client
        .pods()
        .inNamespace(spec.namespace())
        .withLabel(CONTROLLER_UID, jobUid)
        .list()
        .getItems()
        .stream()
        .max(
            Comparator.comparing(
                    (Pod p) ->
                        Optional.ofNullable(p.getMetadata().getCreationTimestamp()).orElse(""))
                .thenComparing(p -> p.getMetadata().getName()));
  }

  private void pause() throws InterruptedException {
    TimeUnit.MILLISECONDS.sleep(Math.max(1, config.job().pollInterval().toMillis()));
  }

  private static boolean ours(Job job) {
    Map<String, String> labels = job.getMetadata().getLabels();
    return labels != null && labels.entrySet().containsAll(BuildJobSpec.LABELS.entrySet());
  }

  /**
   * The Job's phase from its {@code Complete} or {@code Failed} condition, with {@code containers}.
   */
  static BuildJobState stateOf(Job job, List<ContainerState> containers) {
    List<JobCondition> conditions =
        job.getStatus() == null || job.getStatus().getConditions() == null
            ? List.of()
            : job.getStatus().getConditions();
    for (JobCondition condition : conditions) {
      if (!"True".equals(condition.getStatus())) {
        continue;
      }
      Phase phase =
          switch (String.valueOf(condition.getType())) {
            case "Complete" -> Phase.COMPLETE;
            case "Failed" -> Phase.FAILED;
            default -> null;
          };
      if (phase != null) {
        return new BuildJobState(
            phase, orEmpty(condition.getReason()), orEmpty(condition.getMessage()), containers);
      }
    }
    return new BuildJobState(Phase.ACTIVE, "", "", containers);
  }

  /** The init and app containers of {@code pod} as the kubelet last reported them. */
  static List<ContainerState> containerStates(Pod pod) {
    List<ContainerState> states = new ArrayList<>();
    if (pod.getStatus() == null) {
      return states;
    }
    for (List<ContainerStatus> statuses :
        List.of(
            Optional.ofNullable(pod.getStatus().getInitContainerStatuses()).orElse(List.of()),
            Optional.ofNullable(pod.getStatus().getContainerStatuses()).orElse(List.of()))) {
      for (ContainerStatus status : statuses) {
        containerState(status).ifPresent(states::add);
      }
    }
    return states;
  }

  private static Optional<ContainerState> containerState(ContainerStatus status) {
    var state = status.getState();
    if (state == null) {
      return Optional.empty();
    }
    if (state.getTerminated() != null) {
      var terminated = state.getTerminated();
      return Optional.of(
          new ContainerState(
              status.getName(),
              ContainerState.State.TERMINATED,
              orEmpty(terminated.getReason()),
              orEmpty(terminated.getMessage()),
              Optional.ofNullable(terminated.getExitCode()).orElse(0)));
    }
    if (state.getRunning() != null) {
      return Optional.of(
          new ContainerState(status.getName(), ContainerState.State.RUNNING, "", "", 0));
    }
    if (state.getWaiting() != null) {
      return Optional.of(
          new ContainerState(
              status.getName(),
              ContainerState.State.WAITING,
              orEmpty(state.getWaiting().getReason()),
              orEmpty(state.getWaiting().getMessage()),
              0));
    }
    return Optional.empty();
  }

  private static boolean started(List<ContainerState> containers, String name) {
    return containers.stream()
        .anyMatch(c -> c.name().equals(name) && c.state() != ContainerState.State.WAITING);
  }

  /** fabric8 turns an interrupt during a request into an exception and sets the flag again. */
  private static boolean interruptedBy(KubernetesClientException e) {
    return Thread.currentThread().isInterrupted() || e.getCause() instanceof InterruptedException;
  }

  private static String apiProblem(KubernetesClientException e) {
    if (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN) {
      return e.getMessage() + " (check Branchyard's Role in k8s/rbac.yaml)";
    }
    return e.getMessage();
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  /** Why no Job could be started or adopted; not an API failure. */
  private static final class CannotStart extends Exception {

    private final transient Failed failure;

    CannotStart(String message) {
      super(message, null, false, false);
      this.failure = new Failed(Reason.INFRASTRUCTURE, message);
    }
  }

  /** What following one build needs besides the Job. */
  private record Following(
      PodLogStream logs, BuildLog log, SecretMask mask, OutputTail tail, Instant start) {}
}

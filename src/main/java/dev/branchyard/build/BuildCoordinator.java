package dev.branchyard.build;

import dev.branchyard.build.BuildResult.Failed;
import dev.branchyard.build.BuildResult.Reason;
import dev.branchyard.build.BuildResult.Succeeded;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Decides, for each {@link ImageBuild}, what happens next, and runs the builds: the heart of the
 * builder, free of Kubernetes so it can be tested with in-memory ports.
 *
 * <p>For a build that is neither final nor already here, {@link #reconcile} asks the registry
 * first: an image already there is {@code Skipped} without starting a builder. A missing one is
 * queued ({@link BuildQueue}, FIFO with a concurrency limit, the position in the status). One
 * {@code ImageBuild} exists per image tag and is queued once however often it is reconciled, so
 * environments that need the same image share one build.
 *
 * <p>Infrastructure failures (git, registry, buildah or the node failing) are retried up to {@code
 * maxAttempts} times with a doubling delay; a failing Dockerfile or a timeout is final. A registry
 * that cannot be asked leaves the build {@code Pending} with the error, asked again after {@code
 * registryRetryDelay}. A build no owner needs any more (see {@link ImageBuildRequests}) is
 * cancelled; a deleted one is stopped.
 *
 * <p>Nothing is lost on restart: a build that was {@code Queued}, {@code Pending} or {@code
 * Building} when Branchyard stopped is reconciled again on start; if its image reached the registry
 * it is {@code Succeeded}, otherwise it is queued again.
 */
public final class BuildCoordinator implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(BuildCoordinator.class);

  /** How many final outcomes are remembered, to ignore stale copies of finished builds. */
  private static final int REMEMBERED_OUTCOMES = 10_000;

  /**
   * How the queue behaves.
   *
   * @param concurrency how many builds run at once
   * @param maxAttempts how many times a build runs when it fails for infrastructure reasons
   * @param retryDelay the delay before the second attempt; it doubles for each further one
   * @param registryRetryDelay how long to wait before asking an unreachable registry again
   */
  public record Settings(
      int concurrency, int maxAttempts, Duration retryDelay, Duration registryRetryDelay) {

    public Settings {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("max attempts must be at least 1, not " + maxAttempts);
      }
      Objects.requireNonNull(retryDelay, "retryDelay");
      Objects.requireNonNull(registryRetryDelay, "registryRetryDelay");
    }
  }

  private final ImageRegistry registry;
  private final ImageBuilder builder;
  private final BuildStatusWriter statuses;
  private final BuildSecrets secrets;
  private final BuildLogStore logs;
  private final Settings settings;
  private final Clock clock;
  private final BuildQueue queue;
  private final ScheduledExecutorService retries;
  private final Map<String, Tracked> active = new ConcurrentHashMap<>();
  private final Map<String, ImageBuildPhase> outcomes =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ImageBuildPhase> eldest) {
          return size() > REMEMBERED_OUTCOMES;
        }
      };

  /** A build this coordinator has queued, runs or will retry, with the last status it wrote. */
  private static final class Tracked {
    private volatile ImageBuild build;
    private final BuildRequest request;
    private volatile ImageBuildStatus status;
    private volatile ScheduledFuture<?> retry;
    private volatile boolean stopping;
    private volatile String stopReason;

    private Tracked(ImageBuild build, BuildRequest request, ImageBuildStatus status) {
      this.build = build;
      this.request = request;
      this.status = status;
    }
  }

  public BuildCoordinator(
      ImageRegistry registry,
      ImageBuilder builder,
      BuildStatusWriter statuses,
      BuildSecrets secrets,
      BuildLogStore logs,
      Settings settings,
      Clock clock) {
    this.registry = registry;
    this.builder = builder;
    this.statuses = statuses;
    this.secrets = secrets;
    this.logs = logs;
    this.settings = settings;
    this.clock = clock;
    this.queue = new BuildQueue(settings.concurrency(), this::positionChanged);
    this.retries =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "branchyard-build-retries");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Looks at {@code build} as the cluster has it now and takes the next step.
   *
   * @return when to look at it again, if nothing else will make it change (a registry that could
   *     not be asked, a Secret not there yet)
   */
  public Optional<Duration> reconcile(ImageBuild build) {
    String uid = build.getMetadata().getUid();
    Tracked tracked = active.get(uid);
    boolean needed = ImageBuildRequests.isNeeded(build);
    if (tracked != null) {
      tracked.build = build;
      if (!needed) {
        stop(tracked, "no environment needs this image any more");
      }
      return Optional.empty();
    }
    ImageBuildStatus status = build.getStatus();
    long generation = generation(build);
    ImageBuildPhase known = outcome(outcomeKey(uid, generation));
    if (known != null && !(known == ImageBuildPhase.Cancelled && needed)) {
      return Optional.empty();
    }
    // A final status of an earlier generation (a rebuild was requested since) does not count.
    boolean finalForThisGeneration =
        BuildStatuses.isFinal(status)
            && (status.observedGeneration() == null || status.observedGeneration() == generation);
    if (finalForThisGeneration && !(status.phase() == ImageBuildPhase.Cancelled && needed)) {
      return Optional.empty();
    }
    if (BuildStatuses.isFinal(status) && !finalForThisGeneration) {
      status = null;
    }
    if (!needed) {
      finish(
          build,
          BuildStatuses.cancelled(
              status, generation, "no environment needs this image any more", clock.instant()));
      return Optional.empty();
    }
    BuildRequest request;
    try {
      request = toRequest(build);
    } catch (IllegalArgumentException e) {
      finish(
          build,
          BuildStatuses.failed(
              status,
              generation,
              new Failed(Reason.DOCKERFILE, "invalid build: " + e.getMessage()),
              clock.instant()));
      return Optional.empty();
    } catch (MissingSecret e) {
      statuses.write(
          build,
          BuildStatuses.waiting(
              status,
              generation,
              "SecretMissing",
              e.getMessage() + "; asking again in " + settings.registryRetryDelay()));
      return Optional.of(settings.registryRetryDelay());
    }
    if (build.getSpec().rebuild() != null) {
      // Asked to build again: the registry's copy is what is being replaced.
      enqueue(new Tracked(build, request, status));
      return Optional.empty();
    }
    Optional<String> digest;
    try {
      digest = registry.digestOf(request.target());
    } catch (RegistryException e) {
      statuses.write(
          build,
          BuildStatuses.waiting(
              status,
              generation,
              "RegistryUnavailable",
              e.getMessage() + "; asking again in " + settings.registryRetryDelay()));
      return Optional.of(settings.registryRetryDelay());
    }
    if (digest.isPresent()) {
      boolean wasBuilding =
          status != null
              && (status.phase() == ImageBuildPhase.Building
                  || (status.attempts() != null && status.attempts() > 0));
      finish(
          build,
          wasBuilding
              ? BuildStatuses.foundAfterRestart(status, generation, digest.get(), clock.instant())
              : BuildStatuses.skipped(status, generation, digest.get(), clock.instant()));
      return Optional.empty();
    }
    enqueue(new Tracked(build, request, status));
    return Optional.empty();
  }

  /** {@code build} was deleted: stop it if it is queued or running. */
  public void deleted(ImageBuild build) {
    String uid = build.getMetadata().getUid();
    Tracked tracked = active.get(uid);
    if (tracked != null) {
      stop(tracked, "the ImageBuild was deleted");
    }
    synchronized (outcomes) {
      outcomes.keySet().removeIf(key -> key.startsWith(uid + "/"));
    }
  }

  /** Whether {@code build} is queued, running or waiting for a retry here. */
  public boolean isActive(ImageBuild build) {
    return active.containsKey(build.getMetadata().getUid());
  }

  @Override
  public void close() {
    retries.shutdownNow();
    queue.close();
  }

  private void enqueue(Tracked tracked) {
    String uid = tracked.build.getMetadata().getUid();
    active.put(uid, tracked);
    if (!queue.submit(uid, () -> run(tracked))) {
      return;
    }
    LOG.infof(
        "queued the build of %s (%s)",
        tracked.request.target(), tracked.build.getMetadata().getName());
  }

  // Called by the queue with its lock held: only records and hands the write on.
  private void positionChanged(String uid, int position) {
    Tracked tracked = active.get(uid);
    if (tracked == null) {
      return;
    }
    tracked.status = BuildStatuses.queued(tracked.status, generation(tracked.build), position);
    statuses.write(tracked.build, tracked.status);
  }

  private void run(Tracked tracked) {
    ImageBuild build = tracked.build;
    int attempt =
        (tracked.status == null || tracked.status.attempts() == null)
            ? 1
            : tracked.status.attempts() + 1;
    if (Thread.currentThread().isInterrupted()) {
      finishTracked(tracked, new Failed(Reason.CANCELLED, "cancelled before it started"));
      return;
    }
    BuildResult result;
    try (BuildLogWriter log = logs.open(build, attempt)) {
      tracked.status =
          BuildStatuses.building(
              tracked.status, generation(build), attempt, log.logRef(), clock.instant());
      statuses.write(build, tracked.status);
      log.line(
          "building "
              + tracked.request.target()
              + " from "
              + tracked.request.repo()
              + " at "
              + tracked.request.commitSha()
              + " (attempt "
              + attempt
              + " of at most "
              + settings.maxAttempts()
              + ")");
      result = builder.build(tracked.request, log);
    } catch (RuntimeException e) {
      LOG.errorf(e, "the build of %s failed unexpectedly", tracked.request.target());
      result =
          new Failed(Reason.INFRASTRUCTURE, "the builder failed unexpectedly: " + e.getMessage());
    }
    if (result instanceof Failed failed
        && failed.reason().retryable()
        && attempt < settings.maxAttempts()) {
      scheduleRetry(tracked, failed, attempt);
      return;
    }
    finishTracked(tracked, result);
  }

  private void scheduleRetry(Tracked tracked, Failed failed, int attempt) {
    Duration delay = settings.retryDelay().multipliedBy(1L << Math.min(attempt - 1, 16));
    tracked.status =
        BuildStatuses.waiting(
            tracked.status,
            generation(tracked.build),
            "RetryingAfterInfrastructureFailure",
            "attempt "
                + attempt
                + " of "
                + settings.maxAttempts()
                + " failed; trying again in "
                + delay
                + ": "
                + failed.message());
    statuses.write(tracked.build, tracked.status);
    LOG.infof(
        "attempt %d of the build of %s failed for infrastructure reasons; retrying in %s",
        attempt, tracked.request.target(), delay);
    String uid = tracked.build.getMetadata().getUid();
    synchronized (tracked) {
      tracked.retry =
          retries.schedule(
              () -> {
                if (active.get(uid) == tracked) {
                  queue.submit(uid, () -> run(tracked));
                }
              },
              delay.toMillis(),
              TimeUnit.MILLISECONDS);
    }
  }

  private void stop(Tracked tracked, String why) {
    String uid = tracked.build.getMetadata().getUid();
    synchronized (tracked) {
      if (tracked.stopping) {
        return;
      }
      tracked.stopping = true;
      tracked.stopReason = why;
      if (tracked.retry != null && tracked.retry.cancel(false)) {
        // Waiting for a retry: nothing runs, so the cancellation ends it here.
        finishTracked(tracked, new Failed(Reason.CANCELLED, why));
        return;
      }
    }
    boolean wasRunning = queue.isRunning(uid);
    if (queue.cancel(uid) && !wasRunning) {
      finishTracked(tracked, new Failed(Reason.CANCELLED, why));
    }
    // A running build ends with CANCELLED from its builder; run() records it.
    LOG.infof("cancelling the build of %s: %s", tracked.request.target(), why);
  }

  private void finishTracked(Tracked tracked, BuildResult result) {
    ImageBuild build = tracked.build;
    ImageBuildStatus status;
    if (result instanceof Succeeded succeeded) {
      status =
          BuildStatuses.succeeded(
              tracked.status, generation(build), succeeded.digest(), clock.instant());
    } else {
      Failed failed = (Failed) result;
      if (failed.reason() == Reason.CANCELLED
          && tracked.stopReason != null
          && !failed.message().startsWith(tracked.stopReason)) {
        failed = new Failed(Reason.CANCELLED, tracked.stopReason + "; " + failed.message());
      }
      status = BuildStatuses.failed(tracked.status, generation(build), failed, clock.instant());
    }
    tracked.status = status;
    active.remove(build.getMetadata().getUid(), tracked);
    finish(build, status);
  }

  private void finish(ImageBuild build, ImageBuildStatus status) {
    synchronized (outcomes) {
      outcomes.put(outcomeKey(build.getMetadata().getUid(), generation(build)), status.phase());
    }
    statuses.write(build, status);
  }

  /** Outcomes are per generation: a rebuild request (a new generation) builds once more. */
  private static String outcomeKey(String uid, long generation) {
    return uid + "/" + generation;
  }

  private ImageBuildPhase outcome(String key) {
    synchronized (outcomes) {
      ImageBuildPhase phase = outcomes.get(key);
      if (phase == ImageBuildPhase.Cancelled) {
        outcomes.remove(key);
      }
      return phase;
    }
  }

  private BuildRequest toRequest(ImageBuild build) {
    ImageBuildSpec spec = build.getSpec();
    if (spec == null) {
      throw new IllegalArgumentException("the ImageBuild has no spec");
    }
    Map<String, BuildRequest.Arg> args = new LinkedHashMap<>();
    for (BuildArg arg : Optional.ofNullable(spec.buildArgs()).orElse(List.of())) {
      args.put(arg.name(), resolve(arg));
    }
    return new BuildRequest(
        spec.repo(),
        spec.commitSha(),
        Optional.ofNullable(spec.dockerfile()).filter(s -> !s.isBlank()).orElse("Dockerfile"),
        Optional.ofNullable(spec.context()).filter(s -> !s.isBlank()).orElse("."),
        args,
        ImageRef.parse(spec.image()));
  }

  private BuildRequest.Arg resolve(BuildArg arg) {
    if (arg.secretKeyRef() == null) {
      if (arg.value() == null) {
        throw new IllegalArgumentException(
            "build argument " + arg.name() + " has neither a value nor a secretKeyRef");
      }
      return BuildRequest.Arg.literal(arg.value());
    }
    BuildArg.SecretKeyRef ref = arg.secretKeyRef();
    String value;
    try {
      value =
          secrets
              .value(ref.name(), ref.key())
              .orElseThrow(
                  () ->
                      new MissingSecret(
                          "build argument "
                              + arg.name()
                              + " refers to key "
                              + ref.key()
                              + " of Secret "
                              + ref.name()
                              + ", which does not exist"));
    } catch (IllegalStateException e) {
      throw new MissingSecret(
          "cannot read Secret "
              + ref.name()
              + " for build argument "
              + arg.name()
              + ": "
              + e.getMessage());
    }
    return BuildRequest.Arg.secret(value, new BuildRequest.SecretSource(ref.name(), ref.key()));
  }

  private static long generation(ImageBuild build) {
    Long generation = build.getMetadata().getGeneration();
    return generation == null ? 0 : generation;
  }

  /** A build argument's Secret cannot be read yet. */
  private static final class MissingSecret extends RuntimeException {
    private MissingSecret(String message) {
      super(message, null, false, false);
    }
  }
}

package dev.branchyard.build;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * {@link BuildLogStore} keeping each build's log in a ConfigMap next to its ImageBuild, in
 * Branchyard's namespace: {@code <build>-log} (see {@link StoredBuildLog#configMapName}), owned by
 * the ImageBuild so Kubernetes deletes it with the build, labelled {@code
 * app.kubernetes.io/part-of=branchyard}, with the kept text under {@code data.log} and its line
 * counts, attempt and completeness in {@code build-log.branchyard.dev/*} annotations.
 *
 * <p>While a build runs on this replica its log lives in memory ({@link BoundedLog}, at most {@code
 * branchyard.build.logs.max-size}); one flusher thread writes the logs that changed, at most once
 * per {@code flush-interval}, by server-side apply of the whole ConfigMap, and closing a writer
 * writes the rest at once. A write that fails is logged and retried at the next interval; the lines
 * stay in memory, for {@code retry-for} at most once the build has ended. Followers on this replica
 * read from memory; followers elsewhere watch the ConfigMap (and the ImageBuild, to stop when it is
 * deleted or final).
 */
@ApplicationScoped
public class ConfigMapBuildLogStore implements BuildLogStore, AutoCloseable {

  private static final Logger LOG = Logger.getLogger(ConfigMapBuildLogStore.class);

  static final String FIELD_MANAGER = "branchyard-build-logs";

  /** The largest budget: the ConfigMap (text, annotations, metadata) stays below 1 MiB. */
  static final int MAX_MAX_BYTES = 900 * 1024;

  private static final Set<ImageBuildPhase> FINAL_PHASES =
      EnumSet.of(
          ImageBuildPhase.Skipped,
          ImageBuildPhase.Succeeded,
          ImageBuildPhase.Failed,
          ImageBuildPhase.Cancelled);

  private final KubernetesClient client;
  private final String namespace;
  private final int maxBytes;
  private final Duration retryFor;
  private final Clock clock;
  private final ScheduledExecutorService flusher;
  private final ConcurrentMap<String, LiveLog> live = new ConcurrentHashMap<>();

  /** Keeps logs in the client's namespace, Branchyard's own ({@code default} if it has none). */
  @Inject
  public ConfigMapBuildLogStore(KubernetesClient client, BuildConfig config, Clock clock) {
    this(client, Optional.ofNullable(client.getNamespace()).orElse("default"), config, clock);
  }

  public ConfigMapBuildLogStore(
      KubernetesClient client, String namespace, BuildConfig config, Clock clock) {
    long max = config.logs().maxSize().asLongValue();
    if (max < BoundedLog.MIN_MAX_BYTES || max > MAX_MAX_BYTES) {
      throw new IllegalArgumentException(
          "branchyard.build.logs.max-size must be between 1K and 900K, not " + max + " bytes");
    }
    Duration interval = config.logs().flushInterval();
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException(
          "branchyard.build.logs.flush-interval must be positive, not " + interval);
    }
    this.client = client;
    this.namespace = namespace;
    this.maxBytes = (int) max;
    this.retryFor = config.logs().retryFor();
    this.clock = clock;
    this.flusher =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "build-log-flusher");
              thread.setDaemon(true);
              return thread;
            });
    flusher.scheduleWithFixedDelay(
        this::flushChanged, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public BuildLogWriter open(ImageBuild build, int attempt) {
    ObjectMeta meta = build.getMetadata();
    String name = meta.getName();
    if (meta.getUid() == null) {
      throw new IllegalArgumentException(
          "ImageBuild " + name + " has no UID: open its log with the build as read from the API");
    }
    if (meta.getNamespace() != null && !meta.getNamespace().equals(namespace)) {
      throw new IllegalArgumentException(
          "ImageBuild "
              + name
              + " is in namespace "
              + meta.getNamespace()
              + ", but build logs are kept in "
              + namespace);
    }
    if (attempt < 1) {
      throw new IllegalArgumentException("attempts count from 1, not " + attempt);
    }
    synchronized (live) {
      LiveLog running = live.get(name);
      if (running != null && running.owner.getUid().equals(meta.getUid())) {
        running.begin(attempt);
        return new Writer(running);
      }
      if (running != null) {
        // The log of a deleted build of the same name: it has no owner left to be stored with.
        running.end();
        live.remove(name, running);
      }
    }
    KeptLog earlier = earlierLog(name, meta.getUid());
    synchronized (live) {
      LiveLog entry =
          live.computeIfAbsent(
              name, key -> new LiveLog(key, owner(build), BoundedLog.resume(maxBytes, earlier)));
      entry.begin(attempt);
      return new Writer(entry);
    }
  }

  /**
   * What earlier attempts of this build (not of a deleted one of the same name) left, so a retry
   * appends to it; empty if it cannot be read now.
   */
  private KeptLog earlierLog(String buildName, String uid) {
    try {
      return Optional.ofNullable(configMap(buildName).get())
          .filter(
              map ->
                  map.getMetadata().getOwnerReferences().stream()
                      .anyMatch(owner -> uid.equals(owner.getUid())))
          .map(map -> decode(map).log())
          .orElse(KeptLog.EMPTY);
    } catch (KubernetesClientException e) {
      LOG.warnf(
          "cannot read the earlier log of build %s (%s); this attempt's log starts afresh",
          buildName, e.getMessage());
      return KeptLog.EMPTY;
    }
  }

  @Override
  public Multi<String> follow(String buildName) {
    if (!live.containsKey(buildName)) {
      requireBuild(buildName);
    }
    return Multi.createFrom()
        .deferred(
            () -> {
              LiveLog here = live.get(buildName);
              return here != null ? here.follow() : new RemoteFollower(buildName).start();
            });
  }

  @Override
  public String read(String buildName) {
    LiveLog here = live.get(buildName);
    if (here != null) {
      return here.snapshot().text();
    }
    Optional<StoredBuildLog> stored = stored(buildName);
    if (stored.isPresent()) {
      return stored.get().log().text();
    }
    requireBuild(buildName);
    return "";
  }

  @Override
  public Optional<String> tail(String buildName, int lines) {
    LiveLog here = live.get(buildName);
    KeptLog log =
        here != null
            ? here.snapshot()
            : stored(buildName).map(StoredBuildLog::log).orElse(KeptLog.EMPTY);
    return Optional.of(log.lastLines(lines)).filter(text -> !text.isEmpty());
  }

  /** Writes what is still unwritten and stops the flusher. */
  @Override
  @PreDestroy
  public void close() {
    flusher.shutdownNow();
    live.values().forEach(this::flush);
  }

  private void requireBuild(String buildName) {
    if (client.resources(ImageBuild.class).inNamespace(namespace).withName(buildName).get()
        == null) {
      throw new BuildNotFoundException(buildName, namespace);
    }
  }

  private Optional<StoredBuildLog> stored(String buildName) {
    return Optional.ofNullable(configMap(buildName).get()).map(ConfigMapBuildLogStore::decode);
  }

  private Resource<ConfigMap> configMap(String buildName) {
    return client
        .configMaps()
        .inNamespace(namespace)
        .withName(StoredBuildLog.configMapName(buildName));
  }

  private static StoredBuildLog decode(ConfigMap map) {
    String text = map.getData() == null ? null : map.getData().get(StoredBuildLog.DATA_KEY);
    return StoredBuildLog.of(map.getMetadata().getAnnotations(), text);
  }

  private static OwnerReference owner(ImageBuild build) {
    return new OwnerReferenceBuilder()
        .withApiVersion(HasMetadata.getApiVersion(ImageBuild.class))
        .withKind(HasMetadata.getKind(ImageBuild.class))
        .withName(build.getMetadata().getName())
        .withUid(build.getMetadata().getUid())
        .withController(true)
        .build();
  }

  private void flushChanged() {
    // Whatever happens, the scheduled task must survive to flush again.
    for (LiveLog entry : live.values()) {
      try {
        flush(entry);
      } catch (RuntimeException e) {
        LOG.errorf(e, "unexpected failure writing the log of build %s", entry.buildName);
      }
    }
  }

  /** Writes the entry's log if it changed since its last write; forgets it once it is done. */
  private void flush(LiveLog entry) {
    // Also runs on the caller's thread (close), whose own MDC entry is put back afterwards.
    Object callers = MDC.get("build");
    MDC.put("build", entry.buildName);
    try {
      synchronized (entry.flushLock) {
        Pending pending = entry.pending();
        if (pending != null) {
          write(entry, pending);
        }
      }
      forgetIfDone(entry);
    } finally {
      if (callers == null) {
        MDC.remove("build");
      } else {
        MDC.put("build", callers);
      }
    }
  }

  private void write(LiveLog entry, Pending pending) {
    ConfigMap map =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName(StoredBuildLog.configMapName(entry.buildName))
            .withNamespace(namespace)
            .addToLabels("app.kubernetes.io/part-of", "branchyard")
            .addToLabels("app.kubernetes.io/component", "build-log")
            .addToAnnotations(pending.stored().annotations(entry.buildName))
            .withOwnerReferences(entry.owner)
            .endMetadata()
            .addToData(StoredBuildLog.DATA_KEY, pending.stored().log().text())
            .build();
    try {
      client
          .configMaps()
          .inNamespace(namespace)
          .resource(map)
          .fieldManager(FIELD_MANAGER)
          .forceConflicts()
          .serverSideApply();
      int failures = entry.written(pending.version());
      if (failures > 0) {
        LOG.infof(
            "wrote the log of build %s again, after %d failed attempts", entry.buildName, failures);
      }
    } catch (KubernetesClientException e) {
      Instant now = clock.instant();
      Instant failingSince = entry.writeFailed(now);
      if (failingSince.equals(now)) {
        LOG.warnf(
            "cannot write the log of build %s to ConfigMap %s (%s); its lines stay in memory and"
                + " writing is retried",
            entry.buildName, map.getMetadata().getName(), e.getMessage());
      } else {
        LOG.debugf("still cannot write the log of build %s: %s", entry.buildName, e.getMessage());
      }
      if (pending.stored().complete() && now.isAfter(failingSince.plus(retryFor))) {
        LOG.warnf(
            "gave up writing the log of build %s after %s of failures; %d lines are lost",
            entry.buildName, retryFor, pending.stored().log().totalLines());
        live.remove(entry.buildName, entry);
      }
    }
  }

  private void forgetIfDone(LiveLog entry) {
    synchronized (live) {
      if (entry.done()) {
        live.remove(entry.buildName, entry);
      }
    }
  }

  /** A snapshot to write, and the change it includes. */
  private record Pending(StoredBuildLog stored, long version) {}

  /** One build's log while it is written on this replica, and until it is stored. */
  private final class LiveLog {

    final String buildName;
    final OwnerReference owner;
    final Object flushLock = new Object();
    private final BoundedLog log;
    private final List<UnicastProcessor<String>> followers = new CopyOnWriteArrayList<>();
    private int attempt;
    private boolean open;
    private long version;
    private long writtenVersion = -1;
    private int failures;
    private Instant failingSince;

    LiveLog(String buildName, OwnerReference owner, BoundedLog log) {
      this.buildName = buildName;
      this.owner = owner;
      this.log = log;
    }

    synchronized void begin(int attempt) {
      if (open) {
        throw new IllegalStateException(
            "the log of build " + buildName + " is already open for attempt " + this.attempt);
      }
      boolean continues = log.totalLines() > 0;
      this.attempt = attempt;
      this.open = true;
      version++;
      if (attempt > 1 || continues) {
        append("--- attempt " + attempt + " ---");
      }
    }

    synchronized void append(String output) {
      if (!open) {
        return;
      }
      List<String> added = log.append(output);
      version++;
      for (UnicastProcessor<String> follower : followers) {
        added.forEach(follower::onNext);
      }
    }

    synchronized void end() {
      if (!open) {
        return;
      }
      open = false;
      version++;
      followers.forEach(UnicastProcessor::onComplete);
      followers.clear();
    }

    synchronized Multi<String> follow() {
      List<String> kept = log.lines();
      if (!open) {
        return Multi.createFrom().iterable(kept);
      }
      // Holds the kept lines and what arrives while the follower reads; one that falls a whole
      // log behind fails instead of holding more.
      UnicastProcessor<String> follower =
          UnicastProcessor.create(new LinkedBlockingQueue<>(maxBytes + kept.size()), null);
      kept.forEach(follower::onNext);
      followers.add(follower);
      return follower.onTermination().invoke(() -> followers.remove(follower));
    }

    synchronized KeptLog snapshot() {
      return log.snapshot();
    }

    synchronized Pending pending() {
      if (writtenVersion == version) {
        return null;
      }
      return new Pending(new StoredBuildLog(log.snapshot(), attempt, !open), version);
    }

    /** Records a successful write; returns how many writes had failed before it. */
    synchronized int written(long writtenVersion) {
      this.writtenVersion = writtenVersion;
      int failed = failures;
      failures = 0;
      failingSince = null;
      return failed;
    }

    /** Records a failed write; returns since when writes have failed. */
    synchronized Instant writeFailed(Instant now) {
      failures++;
      if (failingSince == null) {
        failingSince = now;
      }
      return failingSince;
    }

    synchronized boolean done() {
      return !open && writtenVersion == version;
    }
  }

  /** One attempt's writer. */
  private final class Writer implements BuildLogWriter {

    private final LiveLog entry;
    private boolean closed;

    Writer(LiveLog entry) {
      this.entry = entry;
    }

    @Override
    public synchronized void line(String line) {
      // Under this writer's lock, so no line of a closed attempt lands in the next one.
      if (!closed) {
        entry.append(line);
      }
    }

    @Override
    public String logRef() {
      return "configmap/" + StoredBuildLog.configMapName(entry.buildName);
    }

    @Override
    public void close() {
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
      }
      entry.end();
      flush(entry);
    }
  }

  /**
   * Follows a log written on another replica: watches its ConfigMap for new lines and its
   * ImageBuild for the end (deleted, or in a final phase: then the ConfigMap is read once more).
   */
  private final class RemoteFollower {

    private final String buildName;
    private final Executor worker = Infrastructure.getDefaultWorkerPool();
    private final UnicastProcessor<String> lines =
        UnicastProcessor.create(new LinkedBlockingQueue<>(maxBytes), null);
    private final List<Watch> watches = new ArrayList<>();
    private long seen;
    private boolean done;

    RemoteFollower(String buildName) {
      this.buildName = buildName;
    }

    Multi<String> start() {
      // Opening watches blocks; the subscriber may be an event loop.
      worker.execute(this::watch);
      return lines.onTermination().invoke(this::stop);
    }

    private void watch() {
      try {
        keep(configMap(buildName).watch(new LogWatcher()));
        keep(
            client
                .resources(ImageBuild.class)
                .inNamespace(namespace)
                .withName(buildName)
                .watch(new BuildWatcher()));
      } catch (KubernetesClientException e) {
        fail(e);
      }
    }

    private void keep(Watch watch) {
      boolean stopped;
      synchronized (this) {
        stopped = done;
        if (!stopped) {
          watches.add(watch);
        }
      }
      if (stopped) {
        watch.close();
      }
    }

    private synchronized void emit(StoredBuildLog stored) {
      if (done) {
        return;
      }
      stored.log().linesAfter(seen).forEach(lines::onNext);
      seen = Math.max(seen, stored.log().totalLines());
    }

    /** Emits what the ConfigMap holds now, then completes. */
    private void finishAfterLastRead() {
      worker.execute(
          () -> {
            try {
              stored(buildName).ifPresent(this::emit);
              finish();
            } catch (KubernetesClientException e) {
              fail(e);
            }
          });
    }

    private synchronized void finish() {
      if (!done) {
        done = true;
        lines.onComplete();
      }
    }

    private synchronized void fail(Throwable failure) {
      if (!done) {
        done = true;
        lines.onError(failure);
      }
    }

    private void stop() {
      List<Watch> open;
      synchronized (this) {
        done = true;
        open = List.copyOf(watches);
        watches.clear();
      }
      // Not from a watch's own callback thread, and without holding this follower's lock.
      try {
        worker.execute(() -> open.forEach(Watch::close));
      } catch (RejectedExecutionException e) {
        open.forEach(Watch::close); // the worker pool is shutting down
      }
    }

    private final class LogWatcher implements Watcher<ConfigMap> {
      @Override
      public void eventReceived(Action action, ConfigMap map) {
        switch (action) {
          case ADDED, MODIFIED -> {
            StoredBuildLog stored = decode(map);
            emit(stored);
            if (stored.complete()) {
              finish();
            }
          }
          case DELETED -> finish();
          default -> {}
        }
      }

      @Override
      public void onClose(WatcherException cause) {
        fail(cause);
      }
    }

    private final class BuildWatcher implements Watcher<ImageBuild> {
      @Override
      public void eventReceived(Action action, ImageBuild build) {
        boolean ended =
            action == Action.DELETED
                || (build.getStatus() != null && FINAL_PHASES.contains(build.getStatus().phase()));
        if (ended) {
          finishAfterLastRead();
        }
      }

      @Override
      public void onClose(WatcherException cause) {
        fail(cause);
      }
    }
  }
}

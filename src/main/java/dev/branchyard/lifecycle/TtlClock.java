package dev.branchyard.lifecycle;

import dev.branchyard.spec.DurationText;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.matchers.GroupMatcher;

/**
 * Deletes environments when their {@code status.expiresAt} passes, and warns before.
 *
 * <p>Each Environment has two one-shot Quartz triggers, keyed {@code <namespace>/<name>} in the
 * groups {@value #EXPIRE_GROUP} and {@value #WARN_GROUP}: at {@code expiresAt} and at {@code
 * expiresAt - branchyard.lifecycle.ttl.warn-before}. The reconciler calls {@link #schedule} after
 * each status write (idempotent: triggers move only when {@code expiresAt} moved) and {@link
 * #unschedule} when the Environment is deleted. Quartz keeps triggers in memory, so {@link #sweep}
 * (every {@code branchyard.lifecycle.ttl.sweep-interval}, first at start-up, and worth calling when
 * this replica becomes leader) rebuilds them from the Environments and expires what a missed
 * trigger left behind.
 *
 * <p>On expiry the Environment is deleted in the foreground (its finalizer tears down the
 * namespace) and gets an {@code Expired} event. The warning is an {@code ExpiresSoon} event plus a
 * call to the {@link ExpiryNotifier}, once per expiry time: the annotation {@value #EXPIRY_WARNED}
 * records the {@code expiresAt} that was warned about, so an extension earns a new warning and a
 * restart does not repeat one. Triggers fire on every replica's scheduler, but only the leader
 * acts; every action re-reads the Environment and checks the time against the injected {@link
 * Clock} first.
 */
@ApplicationScoped
public class TtlClock implements ExpirySchedule {

  /** Annotation on an Environment: the {@code expiresAt} its people were warned about. */
  public static final String EXPIRY_WARNED = "branchyard.dev/expiry-warned";

  static final String EXPIRE_GROUP = "branchyard-ttl-expire";
  static final String WARN_GROUP = "branchyard-ttl-warn";
  static final String CONTEXT_KEY = TtlClock.class.getName();

  private static final Logger LOG = Logger.getLogger(TtlClock.class);

  private final KubernetesClient client;
  private final Scheduler quartz;
  private final Clock clock;
  private final Duration warnBefore;
  private final Leadership leadership;
  private final ExpiryNotifier notifier;
  private final EventRecorder events;

  @Inject
  TtlClock(
      KubernetesClient client,
      Scheduler quartz,
      Clock clock,
      LifecycleConfig config,
      Leadership leadership,
      ExpiryNotifier notifier,
      EventRecorder events) {
    this(client, quartz, clock, config.ttl().warnBefore(), leadership, notifier, events);
  }

  /**
   * A clock for the Environments in {@code client}'s namespace, firing on {@code quartz} (which it
   * registers itself with, in the scheduler context).
   */
  public TtlClock(
      KubernetesClient client,
      Scheduler quartz,
      Clock clock,
      Duration warnBefore,
      Leadership leadership,
      ExpiryNotifier notifier,
      EventRecorder events) {
    this.client = client;
    this.quartz = quartz;
    this.clock = clock;
    this.warnBefore = warnBefore;
    this.leadership = leadership;
    this.notifier = notifier;
    this.events = events;
    try {
      quartz.getContext().put(CONTEXT_KEY, this);
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot register with the Quartz scheduler", e);
    }
  }

  /**
   * Sets (or moves) the expiry and warning triggers of {@code environment} to match its {@code
   * status.expiresAt}; removes them when it has none or is being deleted. Idempotent.
   */
  @Override
  public void schedule(Environment environment) {
    schedule(environment, false);
  }

  /** Removes the triggers of the Environment {@code name} in this clock's namespace. */
  public void unschedule(String name) {
    unschedule(client.getNamespace(), name);
  }

  /** Removes the triggers of the Environment {@code namespace/name}. */
  public void unschedule(String namespace, String name) {
    try {
      quartz.deleteJobs(
          List.of(new JobKey(key(namespace, name), EXPIRE_GROUP), warnKey(namespace, name)));
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot remove the TTL triggers of " + name, e);
    }
  }

  @Scheduled(
      identity = "ttl-sweep",
      every = "${branchyard.lifecycle.ttl.sweep-interval:1m}",
      concurrentExecution = ConcurrentExecution.SKIP)
  void onSchedule() {
    sweep();
  }

  /** This replica just became the leader: expiries due during the failover are acted on now. */
  void onBecameLeader(@jakarta.enterprise.event.Observes LeaderElectionWiring.BecameLeader event) {
    try {
      sweep();
    } catch (RuntimeException e) {
      LOG.warnf(e, "TTL sweep on becoming the leader failed; the next sweep retries");
    }
  }

  /**
   * Looks at every Environment of this clock's namespace: deletes the expired, warns where a
   * warning is due and was not given, (re)creates their triggers, and drops triggers whose
   * Environment is gone. Does nothing unless this replica is the leader.
   */
  public Sweep sweep() {
    if (!leadership.isLeader()) {
      LOG.debug("not the leader: skipping the TTL sweep");
      return new Sweep(List.of(), List.of());
    }
    String namespace = client.getNamespace();
    List<Environment> all;
    try {
      all = environments(namespace).list().getItems();
    } catch (KubernetesClientException e) {
      LOG.warnf("TTL sweep: cannot list environments in %s: %s", namespace, e.getMessage());
      return new Sweep(List.of(), List.of());
    }
    Instant now = clock.instant();
    List<String> expired = new ArrayList<>();
    List<String> warned = new ArrayList<>();
    Set<String> live = new HashSet<>();
    for (Environment environment : all) {
      String name = environment.getMetadata().getName();
      live.add(name);
      try {
        if (expireIfDue(environment, now)) {
          expired.add(name);
          continue;
        }
        boolean warnedNow = warnIfDue(environment, now);
        if (warnedNow) {
          warned.add(name);
        }
        schedule(environment, warnedNow);
      } catch (KubernetesClientException e) {
        LOG.warnf("TTL sweep: %s/%s: %s; trying again next sweep", namespace, name, e.getMessage());
      }
    }
    dropTriggersOfGone(namespace, live);
    return new Sweep(expired, warned);
  }

  /** What one sweep did: the names of the Environments it deleted and those it warned about. */
  public record Sweep(List<String> expired, List<String> warned) {}

  /** A trigger fired: act if this replica leads and the Environment is still the one scheduled. */
  void fired(String group, String namespace, String name, String uid) {
    if (!leadership.isLeader()) {
      LOG.debugf("not the leader: ignoring the TTL trigger of %s/%s", namespace, name);
      return;
    }
    try {
      Environment environment = environments(namespace).withName(name).get();
      if (environment == null || !Objects.equals(uid, environment.getMetadata().getUid())) {
        return;
      }
      Instant now = clock.instant();
      if (EXPIRE_GROUP.equals(group)) {
        expireIfDue(environment, now);
      } else {
        warnIfDue(environment, now);
      }
    } catch (KubernetesClientException e) {
      LOG.warnf(
          "TTL trigger of %s/%s: %s; the next sweep retries", namespace, name, e.getMessage());
    }
  }

  private void schedule(Environment environment, boolean justWarned) {
    String namespace = environment.getMetadata().getNamespace();
    String name = environment.getMetadata().getName();
    Optional<Instant> expiresAt = expiresAt(environment);
    if (environment.getMetadata().getDeletionTimestamp() != null || expiresAt.isEmpty()) {
      unschedule(namespace, name);
      return;
    }
    String uid = environment.getMetadata().getUid();
    try {
      upsert(new JobKey(key(namespace, name), EXPIRE_GROUP), namespace, name, uid, expiresAt.get());
      if (justWarned || warnedAbout(environment, expiresAt.get())) {
        quartz.deleteJob(warnKey(namespace, name));
      } else {
        Instant warnAt = TtlPolicy.warningAt(expiresAt.get(), warnBefore);
        upsert(warnKey(namespace, name), namespace, name, uid, warnAt);
      }
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot schedule the TTL triggers of " + name, e);
    }
  }

  private void upsert(JobKey key, String namespace, String name, String uid, Instant at)
      throws SchedulerException {
    Date fireAt = Date.from(at);
    TriggerKey triggerKey = new TriggerKey(key.getName(), key.getGroup());
    Trigger existing = quartz.getTrigger(triggerKey);
    if (existing != null
        && fireAt.equals(existing.getStartTime())
        && uid != null
        && uid.equals(existing.getJobDataMap().getString("uid"))) {
      return;
    }
    JobDetail job =
        JobBuilder.newJob(TtlJob.class)
            .withIdentity(key)
            .usingJobData("namespace", namespace)
            .usingJobData("name", name)
            .build();
    Trigger trigger =
        TriggerBuilder.newTrigger()
            .withIdentity(triggerKey)
            .forJob(job)
            .usingJobData("uid", uid == null ? "" : uid)
            .startAt(fireAt)
            // A time already past (a short TTL, a late warning) fires at once.
            .withSchedule(
                SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow())
            .build();
    quartz.scheduleJob(job, Set.of(trigger), true);
  }

  private boolean expireIfDue(Environment environment, Instant now) {
    Optional<Instant> expiresAt = expiresAt(environment);
    if (expiresAt.isEmpty()
        || now.isBefore(expiresAt.get())
        || environment.getMetadata().getDeletionTimestamp() != null) {
      return false;
    }
    String namespace = environment.getMetadata().getNamespace();
    String name = environment.getMetadata().getName();
    environments(namespace)
        .withName(name)
        .withPropagationPolicy(DeletionPropagation.FOREGROUND)
        .delete();
    LOG.infof("environment %s/%s expired at %s: deleting it", namespace, name, expiresAt.get());
    events.normal(
        environment,
        "Expired",
        "its time to live ran out at " + expiresAt.get() + "; deleting the environment");
    unschedule(namespace, name);
    return true;
  }

  private boolean warnIfDue(Environment environment, Instant now) {
    Optional<Instant> expiresAt = expiresAt(environment);
    if (expiresAt.isEmpty()
        || environment.getMetadata().getDeletionTimestamp() != null
        || now.isBefore(TtlPolicy.warningAt(expiresAt.get(), warnBefore))
        || !now.isBefore(expiresAt.get())
        || warnedAbout(environment, expiresAt.get())) {
      return false;
    }
    String namespace = environment.getMetadata().getNamespace();
    String name = environment.getMetadata().getName();
    Duration left = Duration.between(now, expiresAt.get());
    events.normal(
        environment,
        "ExpiresSoon",
        "expires in "
            + DurationText.format(left.withNanos(0))
            + ", at "
            + expiresAt.get()
            + "; comment /branchyard extend 8h to keep it longer");
    EnvironmentSpec spec = environment.getSpec();
    try {
      notifier.expiresSoon(
          new ExpiryNotice(
              namespace,
              name,
              spec == null ? null : spec.specName(),
              spec == null ? null : spec.trigger(),
              expiresAt.get(),
              left));
    } catch (RuntimeException e) {
      LOG.warnf(e, "could not tell the people of %s/%s that it expires soon", namespace, name);
    }
    String patch =
        "{\"metadata\":{\"annotations\":{\"" + EXPIRY_WARNED + "\":\"" + expiresAt.get() + "\"}}}";
    environments(namespace).withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    LOG.infof("environment %s/%s expires at %s: warned", namespace, name, expiresAt.get());
    return true;
  }

  private void dropTriggersOfGone(String namespace, Set<String> live) {
    try {
      for (String group : List.of(EXPIRE_GROUP, WARN_GROUP)) {
        for (JobKey key : quartz.getJobKeys(GroupMatcher.jobGroupEquals(group))) {
          String prefix = namespace + "/";
          if (key.getName().startsWith(prefix)
              && !live.contains(key.getName().substring(prefix.length()))) {
            quartz.deleteJob(key);
          }
        }
      }
    } catch (SchedulerException e) {
      LOG.warnf("TTL sweep: cannot drop triggers of deleted environments: %s", e.getMessage());
    }
  }

  private static boolean warnedAbout(Environment environment, Instant expiresAt) {
    Map<String, String> annotations = environment.getMetadata().getAnnotations();
    return annotations != null
        && ResourceTimes.parse(annotations.get(EXPIRY_WARNED))
            .filter(expiresAt::equals)
            .isPresent();
  }

  private static Optional<Instant> expiresAt(Environment environment) {
    EnvironmentStatus status = environment.getStatus();
    return status == null ? Optional.empty() : ResourceTimes.parse(status.expiresAt());
  }

  private static JobKey warnKey(String namespace, String name) {
    return new JobKey(key(namespace, name), WARN_GROUP);
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  private NonNamespaceOperation<
          Environment, KubernetesResourceList<Environment>, Resource<Environment>>
      environments(String namespace) {
    return client.resources(Environment.class).inNamespace(namespace);
  }

  /**
   * The Quartz job of both triggers. Not a CDI bean: Quartz (Quarkus' or a plain one in tests)
   * instantiates it, and it finds its {@link TtlClock} in the scheduler context.
   */
  public static final class TtlJob implements Job {

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
      try {
        TtlClock clock = (TtlClock) context.getScheduler().getContext().get(CONTEXT_KEY);
        if (clock == null) {
          return;
        }
        JobDataMap data = context.getMergedJobDataMap();
        clock.fired(
            context.getJobDetail().getKey().getGroup(),
            data.getString("namespace"),
            data.getString("name"),
            data.getString("uid"));
      } catch (SchedulerException e) {
        throw new JobExecutionException(e);
      }
    }
  }
}

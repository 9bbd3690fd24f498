package dev.branchyard.lifecycle;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Settings of the environment controller, prefix {@code branchyard.lifecycle}. */
@ConfigMapping(prefix = "branchyard.lifecycle")
public interface LifecycleConfig {

  /**
   * How long the readiness probe waits for the Kubernetes API to answer before reporting DOWN. Keep
   * it below the probe's own timeout so the answer is ours, not the kubelet's.
   */
  @WithDefault("2s")
  Duration apiCheckTimeout();

  /**
   * How often an environment whose workloads are rolling out is looked at again (besides the events
   * that wake it). Lower is faster to Ready, higher is fewer API calls.
   */
  @WithDefault("1s")
  Duration deployPollInterval();

  /** How often an environment waiting on image builds looks at them again. */
  @WithDefault("3s")
  Duration buildPollInterval();

  /**
   * How long a component may take to become ready after it was applied before the environment
   * fails, naming the component, the pod and why it is not ready.
   */
  @WithDefault("10m")
  Duration readyTimeout();

  /**
   * When an environment failed for a reason that may pass (a repo unreachable, the API server
   * refusing an object, a spec not loaded yet), how long until it is tried again.
   */
  @WithDefault("30s")
  Duration retryInterval();

  /** How often a namespace that is still terminating is looked at during teardown. */
  @WithDefault("3s")
  Duration teardownPollInterval();

  /** Expiry of environments and the warning before it: see {@link TtlClock}. */
  TtlClocks ttl();

  /** The orphan reaper: see {@link OrphanReaper}. */
  Reaper reaper();

  /** Limits that hold across all stacks (each stack has its own in its spec). */
  GlobalLimits limits();

  /**
   * Whether this replica runs the clocks (TTL expiry, reaper, build pruning) without leader
   * election, as a single replica does. The {@code %test} profile sets it to false, as tests start
   * no operator. With leader election connected, the elected leader runs them instead.
   */
  @WithDefault("true")
  boolean assumeLeader();

  /** Leader election between replicas: see {@link LeaderElectionWiring}. */
  LeaderElection leaderElection();

  /** Settings of the leader election (a Lease, through java-operator-sdk). */
  interface LeaderElection {

    /**
     * Whether replicas elect a leader over a Lease: only the leader reconciles and runs the clocks;
     * every replica serves the web page and the API. On by default (deployed); the {@code %dev} and
     * {@code %test} profiles turn it off, and {@link #assumeLeader()} then decides.
     */
    @WithDefault("true")
    boolean enabled();

    /** The Lease's name. */
    @WithDefault("branchyard")
    String leaseName();

    /** The Lease's namespace; Branchyard's own namespace (the Kubernetes client's) when unset. */
    Optional<String> leaseNamespace();

    /**
     * This replica's name in the Lease (the pod's name, from the Downward API); a random one when
     * unset.
     */
    Optional<String> identity();

    /** How long a leader that stopped renewing keeps the Lease: the longest failover. */
    @WithDefault("15s")
    Duration leaseDuration();

    /** How long the leader tries to renew before it gives up leading. */
    @WithDefault("10s")
    Duration renewDeadline();

    /** How often the Lease is tried. */
    @WithDefault("2s")
    Duration retryPeriod();
  }

  /** Settings of {@link TtlClock}. */
  interface TtlClocks {

    /**
     * How long before an environment expires it gets an {@code ExpiresSoon} event and its people a
     * notice (e.g. a PR comment), time enough to {@code /branchyard extend} it.
     */
    @WithDefault("30m")
    Duration warnBefore();

    /**
     * How often every Environment is looked at: expired ones are deleted and missing timers
     * recreated. It bounds how late an expiry is noticed after a restart or a missed timer. The
     * {@code @Scheduled} interval reads it raw, with the same default.
     */
    @WithDefault("1m")
    Duration sweepInterval();
  }

  /** Settings of {@link OrphanReaper}. */
  interface Reaper {

    /** How often namespaces and environments are compared. */
    @WithDefault("5m")
    Duration interval();

    /**
     * How old a namespace without its Environment must be before it is deleted: the controller
     * creates the namespace a moment after the Environment, and a namespace labelled for an
     * Environment that a slow informer does not show yet must survive.
     */
    @WithDefault("10m")
    Duration grace();
  }

  /** Limits across all stacks. */
  interface GlobalLimits {

    /**
     * How many environments, of all stacks together, may exist at once. More wait in a first-in,
     * first-out queue ({@code Queued}); the global limit never evicts.
     */
    @WithDefault("50")
    int maxEnvironments();

    /**
     * How often a queued environment looks at the queue again: a slot freed by a deletion or a
     * failure is taken within this time. The queue itself is derived from the Environments each
     * time (creation order), so it survives restarts and leader changes.
     */
    @WithDefault("5s")
    Duration queuePollInterval();
  }
}

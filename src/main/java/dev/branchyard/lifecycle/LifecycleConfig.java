package dev.branchyard.lifecycle;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

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
}

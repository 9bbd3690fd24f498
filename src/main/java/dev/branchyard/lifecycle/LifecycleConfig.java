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
}

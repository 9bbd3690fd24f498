package dev.branchyard.web;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Branchyard's own metrics ({@code branchyard_*} at {@code /q/metrics}), prefix {@code
 * branchyard.web.metrics}.
 */
@ConfigMapping(prefix = "branchyard.web.metrics")
public interface MetricsConfig {

  /**
   * Whether to watch Environments and ImageBuilds for the environment and build metrics (one
   * informer each, in Branchyard's namespace). Off in tests that have no Kubernetes API.
   */
  @WithDefault("true")
  boolean watch();
}

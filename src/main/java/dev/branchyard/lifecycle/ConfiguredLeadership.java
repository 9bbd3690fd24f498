package dev.branchyard.lifecycle;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Leadership as configured ({@code branchyard.lifecycle.assume-leader}): a single replica leads
 * alone. A default bean, replaced by the one that follows java-operator-sdk's leader election.
 */
@DefaultBean
@ApplicationScoped
public class ConfiguredLeadership implements Leadership {

  private final boolean leader;

  public ConfiguredLeadership(LifecycleConfig config) {
    this.leader = config.assumeLeader();
  }

  @Override
  public boolean isLeader() {
    return leader;
  }
}

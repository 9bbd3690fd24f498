package dev.branchyard.lifecycle;

/**
 * Leadership as configured ({@code branchyard.lifecycle.assume-leader}): a single replica leads
 * alone. {@link LeaderElectionWiring} uses it when leader election is disabled.
 */
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

package dev.branchyard.lifecycle;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Leadership as java-operator-sdk's leader election (a Lease) decides: the controllers of a replica
 * run only while it holds the lease, and so do the clocks, which ask {@link #isLeader()}. When this
 * replica starts leading, {@code onStartLeading} runs (the TTL sweep), so expiries due during the
 * failover are not lost.
 */
public final class ElectedLeadership implements Leadership {

  private static final Logger LOG = Logger.getLogger(ElectedLeadership.class);

  private final AtomicBoolean leader = new AtomicBoolean();
  private final String identity;
  private volatile Runnable onStartLeading = () -> {};

  public ElectedLeadership(String identity) {
    this.identity = identity;
  }

  @Override
  public boolean isLeader() {
    return leader.get();
  }

  /** What to run each time this replica becomes the leader. */
  public void onStartLeading(Runnable action) {
    onStartLeading = action;
  }

  /**
   * The operator's leader election on lease {@code leaseName} in {@code namespace}, reporting to
   * this object.
   */
  public LeaderElectionConfiguration configuration(
      String leaseName,
      String namespace,
      Duration leaseDuration,
      Duration renewDeadline,
      Duration retryPeriod) {
    return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(leaseName)
        .withLeaseNamespace(namespace)
        .withIdentity(identity)
        .withLeaseDuration(leaseDuration)
        .withRenewDeadline(renewDeadline)
        .withRetryPeriod(retryPeriod)
        .withExitOnStopLeading(false)
        .withLeaderCallbacks(
            new LeaderCallbacks(
                () -> {
                  leader.set(true);
                  LOG.infof("%s leads", identity);
                  onStartLeading.run();
                },
                () -> {
                  leader.set(false);
                  LOG.infof("%s stopped leading", identity);
                },
                newLeader -> LOG.debugf("leader is now %s", newLeader)))
        .build();
  }
}

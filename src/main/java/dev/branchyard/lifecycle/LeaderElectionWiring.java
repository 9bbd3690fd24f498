package dev.branchyard.lifecycle;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.UUID;

/**
 * Leader election in the application ({@code branchyard.lifecycle.leader-election.*}). When
 * enabled, it hands quarkus-operator-sdk a {@link LeaderElectionConfiguration} (java-operator-sdk's
 * Lease election: the controllers of a replica run only while it holds the Lease) and makes {@link
 * ElectedLeadership} the {@link Leadership} the clocks ask, so the TTL clock, the orphan reaper and
 * the build pruner run on the leader only. Each time this replica starts leading, a {@link
 * BecameLeader} event is fired (the TTL clock sweeps at once: expiries due during the failover are
 * not lost). Every replica serves the web page and the API whatever the election says.
 *
 * <p>When disabled ({@code %dev}, {@code %test}), no election runs and {@link ConfiguredLeadership}
 * ({@code branchyard.lifecycle.assume-leader}) decides.
 */
@Singleton
public class LeaderElectionWiring {

  /** Fired (synchronously) each time this replica becomes the leader. */
  public record BecameLeader(String identity) {}

  private final LifecycleConfig config;
  private final KubernetesClient client;
  private final String identity;
  private final ElectedLeadership elected;

  public LeaderElectionWiring(
      LifecycleConfig config, KubernetesClient client, Event<BecameLeader> becameLeader) {
    this.config = config;
    this.client = client;
    this.identity =
        config.leaderElection().identity().orElse("branchyard-" + UUID.randomUUID().toString());
    this.elected = new ElectedLeadership(identity);
    elected.onStartLeading(() -> becameLeader.fire(new BecameLeader(identity)));
  }

  /** Whether replicas elect a leader. */
  public boolean enabled() {
    return config.leaderElection().enabled();
  }

  @Produces
  @Singleton
  Leadership leadership() {
    return enabled() ? elected : new ConfiguredLeadership(config);
  }

  /**
   * What quarkus-operator-sdk uses to elect (it asks for this bean in the profiles listed by {@code
   * quarkus.operator-sdk.activate-leader-election-for-profiles}); null, so no election, when
   * disabled.
   */
  @Produces
  @Dependent
  LeaderElectionConfiguration leaderElectionConfiguration() {
    if (!enabled()) {
      return null;
    }
    LifecycleConfig.LeaderElection election = config.leaderElection();
    return elected.configuration(
        election.leaseName(),
        election.leaseNamespace().orElseGet(() -> client.getNamespace()),
        election.leaseDuration(),
        election.renewDeadline(),
        election.retryPeriod());
  }
}

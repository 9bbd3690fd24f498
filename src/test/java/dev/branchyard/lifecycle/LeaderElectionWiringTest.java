package dev.branchyard.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.testing.TestLifecycleConfig;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LeaderElectionWiringTest {

  private static TestLifecycleConfig config(boolean enabled, boolean assumeLeader) {
    TestLifecycleConfig defaults = TestLifecycleConfig.defaults();
    return new TestLifecycleConfig(
        defaults.apiCheckTimeout(),
        defaults.deployPollInterval(),
        defaults.buildPollInterval(),
        defaults.readyTimeout(),
        defaults.retryInterval(),
        defaults.teardownPollInterval(),
        defaults.ttl(),
        defaults.reaper(),
        defaults.limits(),
        assumeLeader,
        new TestLifecycleConfig.Election(
            enabled,
            "branchyard-lease",
            Optional.of("branchyard"),
            Optional.of("branchyard-7d9f-abcde"),
            Duration.ofSeconds(15),
            Duration.ofSeconds(10),
            Duration.ofSeconds(2)));
  }

  @Test
  void enabledElectionHandsTheOperatorALeaseAndTheClocksTheElectedLeadership() {
    LeaderElectionWiring wiring = new LeaderElectionWiring(config(true, true), null, null);

    LeaderElectionConfiguration election = wiring.leaderElectionConfiguration();

    assertThat(election.getLeaseName()).isEqualTo("branchyard-lease");
    assertThat(election.getLeaseNamespace()).contains("branchyard");
    assertThat(election.getIdentity()).contains("branchyard-7d9f-abcde");
    assertThat(election.getLeaseDuration()).isEqualTo(Duration.ofSeconds(15));
    assertThat(election.isExitOnStopLeading()).isFalse();
    Leadership leadership = wiring.leadership();
    assertThat(leadership).isInstanceOf(ElectedLeadership.class);
    assertThat(leadership.isLeader()).as("not before the Lease is won").isFalse();
  }

  @Test
  void disabledElectionRunsNoElectionAndLeadsAsConfigured() {
    LeaderElectionWiring wiring = new LeaderElectionWiring(config(false, true), null, null);

    assertThat(wiring.leaderElectionConfiguration()).isNull();
    assertThat(wiring.leadership()).isInstanceOf(ConfiguredLeadership.class);
    assertThat(wiring.leadership().isLeader()).isTrue();
  }
}

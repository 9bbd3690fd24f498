package dev.branchyard.github;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** The {@link DeliveryLedger} in use: this replica's memory, sized by configuration. */
@ApplicationScoped
public class DeliveryLedgers {

  @Produces
  @Singleton
  DeliveryLedger ledger(GitHubConfig config, Clock clock) {
    return new InMemoryDeliveryLedger(
        config.deliveries().remember(), config.deliveries().rememberFor(), clock);
  }
}

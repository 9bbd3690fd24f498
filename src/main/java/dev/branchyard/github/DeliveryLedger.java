package dev.branchyard.github;

/**
 * Remembers which webhook deliveries were already taken in, by their {@code X-GitHub-Delivery} id,
 * so a delivery GitHub sends again (a redelivery, or a retry after a timeout) is acted on only
 * once.
 *
 * <p>The in-memory implementation covers one replica and forgets on restart: a repeat that reaches
 * another replica, or comes after a restart, is taken in again. That is safe for everything that
 * changes environments (upserts are latest-wins by the pull request's {@code updated_at},
 * destroying what is gone is a no-op); see docs/github.md for what it means for chat commands.
 */
public interface DeliveryLedger {

  /** The header carrying a delivery's id: a GUID, the same on every redelivery. */
  String HEADER = "X-GitHub-Delivery";

  /**
   * Records a delivery and says whether it is new.
   *
   * @param deliveryId the {@code X-GitHub-Delivery} value
   * @return true the first time an id is seen (within the ledger's memory), false for repeats
   */
  boolean firstSeen(String deliveryId);

  /**
   * Forgets a delivery that could not be taken in after all (recording it failed), so that GitHub's
   * redelivery of it is acted on instead of being dropped as a repeat.
   */
  void forget(String deliveryId);
}

package dev.branchyard.github;

/**
 * Remembers which webhook deliveries were already taken in, by their {@code X-GitHub-Delivery} id,
 * so a delivery GitHub sends again (a redelivery, or a retry after a timeout) is acted on only
 * once.
 *
 * <p>The in-memory implementation covers one replica; a Kubernetes-backed one will cover all.
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
}

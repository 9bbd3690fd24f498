package dev.branchyard.web;

import dev.branchyard.Pure;
import dev.branchyard.lifecycle.DeployPhase;
import dev.branchyard.lifecycle.EnvironmentPhase;
import java.time.Instant;

/**
 * One row of an environment listing: what a list shows without the components and timeline.
 *
 * @param name the environment's name
 * @param spec the stack
 * @param trigger what asked for it
 * @param phase where it is
 * @param message what is going on now
 * @param url the primary URL, once ready
 * @param createdAt when it was first asked for
 * @param expiresAt when it will be torn down, when known
 * @param deleting true while it is being torn down
 * @param components how many components the stack has (as known so far)
 * @param componentsReady how many of them are deployed and ready
 */
@Pure
public record EnvironmentSummary(
    String name,
    String spec,
    EnvironmentView.TriggerView trigger,
    EnvironmentPhase phase,
    String message,
    String url,
    Instant createdAt,
    Instant expiresAt,
    boolean deleting,
    int components,
    int componentsReady) {

  public static EnvironmentSummary of(EnvironmentView view) {
    return new EnvironmentSummary(
        view.name(),
        view.spec(),
        view.trigger(),
        view.phase(),
        view.message(),
        view.url(),
        view.createdAt(),
        view.expiresAt(),
        view.deleting(),
        view.components().size(),
        (int) view.components().stream().filter(c -> c.deployState() == DeployPhase.Ready).count());
  }
}

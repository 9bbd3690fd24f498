package dev.branchyard.lifecycle;

import dev.branchyard.deploy.IngressTarget;
import dev.branchyard.deploy.Manifest;
import dev.branchyard.deploy.ManifestApplier.ApplyException;
import dev.branchyard.spec.StackSpec;
import java.util.List;
import java.util.Optional;

/**
 * The namespace of an environment: created with everything the environment itself needs (quota,
 * limit range, network policy, copied secrets, ingress), and deleted convergently.
 */
public interface EnvironmentNamespaces {

  /** The namespace's name for {@code environment}: stable, DNS-safe, at most 63 characters. */
  String nameFor(Environment environment, StackSpec spec);

  /**
   * Creates or updates the namespace and the environment-wide objects in it (idempotent).
   *
   * @param ingressTarget the Service the ingress routes to, if the stack has an ingress
   * @return the environment-wide objects applied, and whether the namespace had to be created
   */
  Ensured ensure(
      Environment environment,
      StackSpec spec,
      String namespace,
      Optional<IngressTarget> ingressTarget)
      throws ApplyException;

  /**
   * What {@link #ensure} did.
   *
   * @param objects the environment-wide objects applied (kept when pruning)
   * @param created whether the namespace did not exist and was created
   */
  record Ensured(List<Manifest> objects, boolean created) {
    public Ensured {
      objects = List.copyOf(objects);
    }
  }

  /** Where the deletion of a namespace stands. */
  sealed interface Teardown {
    /** The namespace no longer exists. */
    record Gone() implements Teardown {}

    /** It is being deleted; {@code blockedBy} names what holds it (finalizers, conditions). */
    record Terminating(String blockedBy) implements Teardown {}
  }

  /** Deletes the namespace if it exists (idempotent) and says whether it is gone yet. */
  Teardown delete(String namespace);
}

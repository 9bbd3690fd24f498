package dev.branchyard.deploy;

import dev.branchyard.Pure;
import java.util.Objects;

/**
 * Who an environment's own objects belong to: what their labels and the namespace's annotation
 * point back to.
 *
 * @param environment the {@code Environment}'s name
 * @param uid the {@code Environment}'s uid
 * @param homeNamespace the namespace of the {@code Environment} (Branchyard's own)
 * @param spec the stack's name
 * @param namespace the environment's namespace, see {@link NamespaceLayout#namespaceName}
 */
@Pure
public record EnvironmentIdentity(
    String environment, String uid, String homeNamespace, String spec, String namespace) {

  public EnvironmentIdentity {
    Objects.requireNonNull(environment, "environment");
    Objects.requireNonNull(uid, "uid");
    Objects.requireNonNull(homeNamespace, "homeNamespace");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(namespace, "namespace");
  }
}

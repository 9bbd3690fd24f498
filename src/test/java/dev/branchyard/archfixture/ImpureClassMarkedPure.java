package dev.branchyard.archfixture;

import dev.branchyard.Pure;
import io.fabric8.kubernetes.api.model.Namespace;

/** A deliberate violation that {@code ArchitectureTest} must detect. Not production code. */
@Pure
public class ImpureClassMarkedPure {
  public String namespaceName(Namespace namespace) {
    return namespace.getMetadata().getName();
  }
}

package dev.branchyard.deploy;

import dev.branchyard.spec.ComponentSpec;
import java.util.List;

/**
 * Renders one component of a stack to the objects to apply: plain manifests from {@code templates/}
 * or a Helm chart from the component's repo at its commit.
 */
public interface ComponentManifests {

  /**
   * @throws RenderException when the templates or chart are wrong (not retried)
   */
  List<Manifest> render(ComponentSpec component, RenderContext context) throws RenderException;
}

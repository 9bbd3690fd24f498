package dev.branchyard.spec;

import java.util.Map;
import java.util.Objects;

/** What a component applies to the environment: plain manifests or a Helm chart, never both. */
public sealed interface DeploySpec {

  /**
   * Every manifest in a directory under the project's {@code templates/}, with placeholders.
   *
   * @param directory relative to {@code templates/}, e.g. {@code shop/web}
   */
  record Manifests(String directory) implements DeploySpec {
    public Manifests {
      Objects.requireNonNull(directory, "directory");
    }
  }

  /**
   * A Helm chart rendered in-process.
   *
   * @param path a chart directory inside the component's repo (at its resolved commit), or an
   *     {@code oci://} reference
   * @param values chart values, merged over the chart's own defaults
   */
  record Chart(String path, Map<String, Object> values) implements DeploySpec {
    public Chart {
      Objects.requireNonNull(path, "path");
      values = FrozenValues.freeze(values);
    }
  }
}

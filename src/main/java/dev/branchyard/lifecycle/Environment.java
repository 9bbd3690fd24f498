package dev.branchyard.lifecycle;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One ephemeral environment: a namespace holding a whole stack, each repo pinned to an exact
 * commit. Lives in Branchyard's own namespace; its status is the single source of truth for the
 * status page, the API and GitHub feedback.
 */
@Group(Environment.GROUP)
@Version(Environment.VERSION)
@Kind("Environment")
@Plural("environments")
@ShortNames({"env", "envs"})
@Categories("branchyard")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
@AdditionalPrinterColumn(name = "Expires", jsonPath = ".status.expiresAt", type = Type.DATE)
@AdditionalPrinterColumn(name = "URL", jsonPath = ".status.url", type = Type.STRING)
public class Environment extends CustomResource<EnvironmentSpec, EnvironmentStatus>
    implements Namespaced {

  public static final String GROUP = "branchyard.dev";
  public static final String VERSION = "v1alpha1";

  public Environment() {}

  public Environment(String name, EnvironmentSpec spec) {
    getMetadata().setName(name);
    setSpec(spec);
  }

  // Spec and status are immutable records: start empty instead of reflectively instantiating them.
  @Override
  protected EnvironmentSpec initSpec() {
    return null;
  }

  @Override
  protected EnvironmentStatus initStatus() {
    return null;
  }
}

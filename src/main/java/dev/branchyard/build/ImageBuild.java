package dev.branchyard.build;

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
 * One image to build: a repo at an exact commit with fixed build settings. There is one resource
 * per target image tag, so environments that need the same image share one build.
 */
@Group(ImageBuild.GROUP)
@Version(ImageBuild.VERSION)
@Kind("ImageBuild")
@Plural("imagebuilds")
@ShortNames({"ib", "ibs"})
@Categories("branchyard")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
@AdditionalPrinterColumn(name = "Finished", jsonPath = ".status.finishedAt", type = Type.DATE)
@AdditionalPrinterColumn(name = "Image", jsonPath = ".spec.image", type = Type.STRING)
public class ImageBuild extends CustomResource<ImageBuildSpec, ImageBuildStatus>
    implements Namespaced {

  public static final String GROUP = "branchyard.dev";
  public static final String VERSION = "v1alpha1";

  public ImageBuild() {}

  public ImageBuild(String name, ImageBuildSpec spec) {
    getMetadata().setName(name);
    setSpec(spec);
  }

  // Spec and status are immutable records: start empty instead of reflectively instantiating them.
  @Override
  protected ImageBuildSpec initSpec() {
    return null;
  }

  @Override
  protected ImageBuildStatus initStatus() {
    return null;
  }
}

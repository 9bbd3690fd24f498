package dev.branchyard.build;

import dev.branchyard.Pure;
import java.util.Objects;

/**
 * An image in a registry, named by tag: {@code <registry>/<repository>:<tag>}.
 *
 * @param registry the registry as {@code host[:port]}
 * @param repository the repository path within the registry, e.g. {@code branchyard/acme/api}
 * @param tag the tag, {@code <commit sha>-<settings hash>} for images Branchyard builds
 */
@Pure
public record ImageRef(String registry, String repository, String tag) {

  public ImageRef {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(tag, "tag");
  }

  /** The full reference, as {@code buildah push} and image pull specs take it. */
  public String reference() {
    return registry + "/" + repository + ":" + tag;
  }

  @Override
  public String toString() {
    return reference();
  }
}

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

  /**
   * Reads {@code <registry>/<repository>:<tag>}, as {@link #reference()} writes it. The registry
   * part is required (Branchyard never relies on a default registry), and digests
   * ({@code @sha256:}) are not tags.
   *
   * @throws IllegalArgumentException naming what is missing
   */
  public static ImageRef parse(String reference) {
    Objects.requireNonNull(reference, "reference");
    int slash = reference.indexOf('/');
    int colon = reference.lastIndexOf(':');
    if (reference.contains("@")) {
      throw new IllegalArgumentException(
          "'" + reference + "' names a digest; expected <registry>/<repository>:<tag>");
    }
    if (slash <= 0 || colon < reference.lastIndexOf('/') || colon == reference.length() - 1) {
      throw new IllegalArgumentException(
          "'"
              + reference
              + "' is not an image reference of the form <registry>/<repository>:<tag>, e.g."
              + " registry.example.com/acme/api:0123abcd-4567ef");
    }
    String repository = reference.substring(slash + 1, colon);
    if (repository.isEmpty()) {
      throw new IllegalArgumentException("'" + reference + "' has no repository path");
    }
    return new ImageRef(reference.substring(0, slash), repository, reference.substring(colon + 1));
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

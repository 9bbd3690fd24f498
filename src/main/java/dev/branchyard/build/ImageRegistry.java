package dev.branchyard.build;

import java.util.Optional;

/** The registry images are pushed to, asked whether an image is already there. */
public interface ImageRegistry {

  /**
   * The manifest digest of {@code image}, if the registry has it.
   *
   * @return the digest ({@code sha256:...}) if the tag exists; empty if the registry says the tag
   *     or the repository does not exist
   * @throws RegistryException if the registry could not be asked or refused to answer; never
   *     reported as a missing image, which would trigger a needless build
   */
  Optional<String> digestOf(ImageRef image) throws RegistryException;
}

package dev.branchyard.build;

import java.util.Optional;

/** Reads the Secrets that build arguments refer to, in Branchyard's namespace. */
public interface BuildSecrets {

  /**
   * The value under {@code key} of the Secret {@code secretName}.
   *
   * @return empty if the Secret or the key does not exist
   * @throws IllegalStateException if the Secret could not be read (API unreachable, forbidden)
   */
  Optional<String> value(String secretName, String key);
}

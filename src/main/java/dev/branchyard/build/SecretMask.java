package dev.branchyard.build;

import dev.branchyard.Pure;
import java.util.Comparator;
import java.util.List;

/**
 * Replaces secret build-arg values with {@code ***} in log lines. buildah echoes build args in
 * error messages and {@code ARG}/{@code ENV} steps, so every line passes through here.
 */
@Pure
final class SecretMask {

  static final String MASK = "***";

  private final List<String> secrets;

  private SecretMask(List<String> secrets) {
    this.secrets = secrets;
  }

  /**
   * A mask of the request's secret values; longest first, so a secret containing another goes
   * whole.
   */
  static SecretMask of(BuildRequest request) {
    return new SecretMask(
        request.buildArgs().values().stream()
            .filter(BuildRequest.Arg::secret)
            .map(BuildRequest.Arg::value)
            // An empty value would "match" between every character.
            .filter(v -> !v.isEmpty())
            .distinct()
            .sorted(Comparator.comparingInt(String::length).reversed())
            .toList());
  }

  String apply(String line) {
    String masked = line;
    for (String secret : secrets) {
      masked = masked.replace(secret, MASK);
    }
    return masked;
  }
}

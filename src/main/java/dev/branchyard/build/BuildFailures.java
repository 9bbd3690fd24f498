package dev.branchyard.build;

import dev.branchyard.Pure;
import dev.branchyard.build.BuildResult.Failed;
import dev.branchyard.build.BuildResult.Reason;
import java.util.List;
import java.util.Locale;

/** Classifies a failed step of the local builder and words the failure with the output's tail. */
@Pure
final class BuildFailures {

  /** How many of the last output lines a failure message carries. */
  static final int TAIL_LINES = 20;

  /**
   * Output of {@code bud} that means the host or a registry failed rather than the Dockerfile:
   * pulling a base image, storage or buildah's own start-up.
   */
  private static final List<String> INFRASTRUCTURE_SIGNS =
      List.of(
          "pinging container registry",
          "connection refused",
          "i/o timeout",
          "no such host",
          "tls handshake timeout",
          "toomanyrequests",
          "503 service unavailable",
          "no space left on device",
          "error creating runtime",
          "database is locked",
          "mounting layer");

  private BuildFailures() {}

  /**
   * A {@code bud} that exited non-zero: the Dockerfile's fault, unless the output says otherwise.
   */
  static Reason ofBud(List<String> tail) {
    for (String line : tail) {
      String lower = line.toLowerCase(Locale.ROOT);
      if (INFRASTRUCTURE_SIGNS.stream().anyMatch(lower::contains)) {
        return Reason.INFRASTRUCTURE;
      }
    }
    return Reason.DOCKERFILE;
  }

  static Failed failed(Reason reason, String summary, List<String> tail) {
    if (tail.isEmpty()) {
      return new Failed(reason, summary);
    }
    return new Failed(
        reason,
        summary + "\nlast " + tail.size() + " lines of output:\n" + String.join("\n", tail));
  }
}

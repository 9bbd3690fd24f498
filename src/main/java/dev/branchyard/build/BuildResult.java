package dev.branchyard.build;

import dev.branchyard.Pure;
import java.time.Duration;
import java.util.Objects;

/** How a build ended: pushed with a digest, or failed with a reason a user can act on. */
@Pure
public sealed interface BuildResult {

  /**
   * The image was built and pushed.
   *
   * @param digest the manifest digest the registry holds, {@code sha256:...}
   * @param took from the start of the checkout to the end of the push
   */
  record Succeeded(String digest, Duration took) implements BuildResult {
    public Succeeded {
      Objects.requireNonNull(digest, "digest");
      Objects.requireNonNull(took, "took");
    }
  }

  /**
   * The build failed.
   *
   * @param reason whose problem it is, and so whether retrying can help
   * @param message what happened, with the last lines of the build's output (secrets masked)
   */
  record Failed(Reason reason, String message) implements BuildResult {
    public Failed {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
    }
  }

  /** Why a build failed. */
  enum Reason {
    /** The Dockerfile or the build context is wrong; the same commit fails again. */
    DOCKERFILE,
    /** The build took longer than {@code branchyard.build.timeout}. */
    TIMEOUT,
    /** Git, the registry, buildah itself or the host failed; a retry may succeed. */
    INFRASTRUCTURE,
    /** The build was stopped because its image is no longer needed. */
    CANCELLED;

    /** Only infrastructure failures are worth retrying: a broken Dockerfile stays broken. */
    public boolean retryable() {
      return this == INFRASTRUCTURE;
    }
  }
}

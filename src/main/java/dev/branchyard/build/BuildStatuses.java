package dev.branchyard.build;

import dev.branchyard.Pure;
import dev.branchyard.build.BuildResult.Failed;
import dev.branchyard.build.BuildResult.Reason;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;

/**
 * The status an {@link ImageBuild} gets at each step, computed from the one it has. Every method
 * returns a whole new status: fields that mean nothing in the new phase are cleared.
 */
@Pure
public final class BuildStatuses {

  /** Phases a build does not leave by itself. */
  public static final Set<ImageBuildPhase> FINAL =
      Set.of(
          ImageBuildPhase.Skipped,
          ImageBuildPhase.Succeeded,
          ImageBuildPhase.Failed,
          ImageBuildPhase.Cancelled);

  private BuildStatuses() {}

  /** Whether {@code status} is in a final phase. */
  public static boolean isFinal(ImageBuildStatus status) {
    return status != null && status.phase() != null && FINAL.contains(status.phase());
  }

  /** The image is already in the registry: nothing to build. */
  public static ImageBuildStatus skipped(
      ImageBuildStatus previous, long generation, String digest, Instant now) {
    return new ImageBuildStatus(
        generation,
        ImageBuildPhase.Skipped,
        null,
        null,
        time(now),
        digest,
        null,
        attempts(previous),
        "AlreadyInRegistry",
        "the image is already in the registry; nothing was built",
        null);
  }

  /**
   * The image is in the registry after a build that was running when Branchyard stopped: the build
   * pushed it, Branchyard did not see the end.
   */
  public static ImageBuildStatus foundAfterRestart(
      ImageBuildStatus previous, long generation, String digest, Instant now) {
    return new ImageBuildStatus(
        generation,
        ImageBuildPhase.Succeeded,
        null,
        previous == null ? null : previous.startedAt(),
        time(now),
        digest,
        logRef(previous),
        attempts(previous),
        "Pushed",
        "the image was pushed while Branchyard was restarting",
        null);
  }

  /** Waiting for a free build slot. */
  public static ImageBuildStatus queued(ImageBuildStatus previous, long generation, int position) {
    return new ImageBuildStatus(
        generation,
        ImageBuildPhase.Queued,
        position,
        null,
        null,
        null,
        logRef(previous),
        attempts(previous),
        "Queued",
        position == 1
            ? "next to build when a build slot is free"
            : "waiting for a build slot: " + (position - 1) + " build(s) ahead",
        null);
  }

  /** Not built yet, waiting to ask again (registry unreachable, a Secret missing, a retry). */
  public static ImageBuildStatus waiting(
      ImageBuildStatus previous, long generation, String reason, String message) {
    return new ImageBuildStatus(
        generation,
        ImageBuildPhase.Pending,
        null,
        previous == null ? null : previous.startedAt(),
        null,
        null,
        logRef(previous),
        attempts(previous),
        reason,
        message,
        null);
  }

  /** Attempt {@code attempt} started. */
  public static ImageBuildStatus building(
      ImageBuildStatus previous, long generation, int attempt, String logRef, Instant now) {
    return new ImageBuildStatus(
        generation,
        ImageBuildPhase.Building,
        null,
        time(now),
        null,
        null,
        logRef,
        attempt,
        "Building",
        attempt == 1 ? "building" : "building, attempt " + attempt,
        null);
  }

  /** Built and pushed. */
  public static ImageBuildStatus succeeded(
      ImageBuildStatus previous, long generation, String digest, Instant now) {
    return new ImageBuildStatus(
        generation,
        ImageBuildPhase.Succeeded,
        null,
        previous == null ? null : previous.startedAt(),
        time(now),
        digest,
        logRef(previous),
        attempts(previous),
        "Pushed",
        "built and pushed",
        null);
  }

  /** Failed for good (or cancelled): {@code failed.message()} already holds the last log lines. */
  public static ImageBuildStatus failed(
      ImageBuildStatus previous, long generation, Failed failed, Instant now) {
    boolean cancelled = failed.reason() == Reason.CANCELLED;
    return new ImageBuildStatus(
        generation,
        cancelled ? ImageBuildPhase.Cancelled : ImageBuildPhase.Failed,
        null,
        previous == null ? null : previous.startedAt(),
        time(now),
        null,
        logRef(previous),
        attempts(previous),
        reasonOf(failed.reason()),
        failed.message(),
        null);
  }

  /** Stopped before or while building, with why. */
  public static ImageBuildStatus cancelled(
      ImageBuildStatus previous, long generation, String message, Instant now) {
    return failed(previous, generation, new Failed(Reason.CANCELLED, message), now);
  }

  /** The CamelCase reason shown for a failure. */
  public static String reasonOf(Reason reason) {
    return switch (reason) {
      case DOCKERFILE -> "BuildFailed";
      case TIMEOUT -> "TimedOut";
      case INFRASTRUCTURE -> "InfrastructureFailure";
      case CANCELLED -> "Cancelled";
    };
  }

  private static int attempts(ImageBuildStatus previous) {
    return previous == null || previous.attempts() == null ? 0 : previous.attempts();
  }

  private static String logRef(ImageBuildStatus previous) {
    return previous == null ? null : previous.logRef();
  }

  private static String time(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}

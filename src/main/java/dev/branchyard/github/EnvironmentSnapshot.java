package dev.branchyard.github;

import dev.branchyard.Pure;
import dev.branchyard.lifecycle.EnvironmentSpec;
import dev.branchyard.lifecycle.EnvironmentStatus;
import java.util.Objects;
import java.util.Optional;

/**
 * An Environment as feedback sees it, read off the resource by the watcher (so the planner stays
 * free of Kubernetes types).
 *
 * @param name the Environment's name
 * @param generation its {@code metadata.generation}: a new head SHA raises it
 * @param statusGeneration the newest generation the status was written for (its {@code
 *     observedGeneration} or its conditions'); older than {@code generation}, the status still
 *     describes the previous head
 * @param spec what was asked for
 * @param status what the controller reported, if anything yet
 * @param stage alive, being torn down, or gone
 * @param recorded the fingerprints of the feedback last sent, from the Environment's annotation
 */
@Pure
public record EnvironmentSnapshot(
    String name,
    long generation,
    long statusGeneration,
    EnvironmentSpec spec,
    Optional<EnvironmentStatus> status,
    Stage stage,
    Optional<String> recorded) {

  public EnvironmentSnapshot {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(recorded, "recorded");
  }

  /** Where the Environment is in its life, as far as feedback cares. */
  public enum Stage {
    ACTIVE,
    DELETING,
    DELETED
  }
}

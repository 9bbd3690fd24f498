package dev.branchyard.spec;

import java.time.Instant;
import java.util.Objects;

/**
 * A good spec held by {@link SpecCatalog}, with where it came from.
 *
 * @param spec the stack as parsed
 * @param sourceId the source that supplied it, e.g. {@code directory:env-specs}
 * @param file the file within that source, e.g. {@code env-specs/shop.yaml}
 * @param revision the revision this version of the spec was first seen at: a commit SHA, or a
 *     file's modification time
 * @param loadedAt when this version of the spec was first loaded
 */
public record LoadedSpec(
    StackSpec spec, String sourceId, String file, String revision, Instant loadedAt) {

  public LoadedSpec {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(sourceId, "sourceId");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(revision, "revision");
    Objects.requireNonNull(loadedAt, "loadedAt");
  }

  public String name() {
    return spec.name();
  }
}

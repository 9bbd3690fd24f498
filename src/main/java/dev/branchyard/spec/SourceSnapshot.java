package dev.branchyard.spec;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Every spec file of one source at one point in time, parsed: what {@link SpecCatalog#apply}
 * compares with the source's previous snapshot. A file missing from it has been removed.
 */
public record SourceSnapshot(List<SnapshotFile> files) {

  /**
   * One file of the snapshot.
   *
   * @param result the file parsed; its {@link SpecParseResult#file()} names the file
   * @param revision the commit SHA, or the file's modification time, it was read at
   */
  public record SnapshotFile(SpecParseResult result, String revision) {
    public SnapshotFile {
      Objects.requireNonNull(result, "result");
      Objects.requireNonNull(revision, "revision");
    }

    public String file() {
      return result.file();
    }
  }

  public SourceSnapshot {
    files = List.copyOf(files);
    Set<String> seen = new HashSet<>();
    for (SnapshotFile file : files) {
      if (!seen.add(file.file())) {
        throw new IllegalArgumentException("file appears twice in one snapshot: " + file.file());
      }
    }
  }

  /** A snapshot whose files were all read at the same revision, e.g. one commit. */
  public static SourceSnapshot atRevision(String revision, List<SpecParseResult> results) {
    return new SourceSnapshot(results.stream().map(r -> new SnapshotFile(r, revision)).toList());
  }
}

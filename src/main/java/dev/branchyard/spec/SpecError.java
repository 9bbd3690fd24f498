package dev.branchyard.spec;

import java.util.Comparator;
import java.util.Objects;

/**
 * One problem in an env spec, located the way compilers do it so editors and CI logs can link to
 * it.
 *
 * @param file the source name the spec was parsed under, e.g. {@code env-specs/shop.yaml}
 * @param line 1-based line of the offending value (or key, for unknown and duplicate keys)
 * @param column 1-based column
 * @param path where in the spec, e.g. {@code components[2].name}; empty for document-level problems
 * @param message what is wrong and what would be valid
 */
public record SpecError(String file, int line, int column, String path, String message) {

  /** Errors in reading order, as a user fixes them. */
  public static final Comparator<SpecError> IN_SOURCE_ORDER =
      Comparator.comparing(SpecError::file)
          .thenComparingInt(SpecError::line)
          .thenComparingInt(SpecError::column)
          .thenComparing(SpecError::path);

  public SpecError {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
    if (line < 1 || column < 1) {
      throw new IllegalArgumentException("line and column are 1-based: " + line + ":" + column);
    }
  }

  /**
   * {@code file:line:column: path message}, e.g. {@code shop.yaml:12:9: components[2].name ...}.
   */
  @Override
  public String toString() {
    String where = file + ":" + line + ":" + column + ": ";
    return path.isEmpty() ? where + message : where + path + " " + message;
  }
}

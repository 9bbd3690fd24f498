package dev.branchyard.spec;

import java.io.Reader;
import java.util.List;
import java.util.Optional;

/**
 * Parses and validates env specs ({@code env-specs/<name>.yaml}). Never throws on bad input: every
 * problem, from a YAML syntax error to a {@code requires} cycle, comes back as a located {@link
 * SpecError}. Reads nothing itself; callers hand in the text and the name to report it under.
 */
public final class SpecParser {

  /**
   * Parses one spec. {@code file} only names the source in errors, e.g. {@code
   * env-specs/shop.yaml}.
   */
  public SpecParseResult parse(String file, String content) {
    return bind(file, new YamlTreeReader(file).read(content));
  }

  /** As {@link #parse(String, String)}, streaming from a reader the caller owns and closes. */
  public SpecParseResult parse(String file, Reader content) {
    return bind(file, new YamlTreeReader(file).read(content));
  }

  private static SpecParseResult bind(String file, YamlTreeReader.Outcome outcome) {
    if (outcome instanceof YamlTreeReader.Failure failure) {
      return new SpecParseResult.Invalid(file, List.of(failure.error()));
    }
    YamlNode root = ((YamlTreeReader.Tree) outcome).root();
    SpecBinder binder = new SpecBinder(file);
    Optional<StackSpec> spec = binder.bind(root);
    if (spec.isPresent() && binder.errors().isEmpty()) {
      return new SpecParseResult.Valid(file, spec.get());
    }
    return new SpecParseResult.Invalid(file, binder.errors());
  }
}

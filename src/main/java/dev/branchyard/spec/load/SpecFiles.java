package dev.branchyard.spec.load;

import dev.branchyard.spec.SpecError;
import dev.branchyard.spec.SpecParseResult;
import dev.branchyard.spec.SpecParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads env spec files from disk and parses them; the only place in {@code spec} that touches the
 * file system, so that the parser itself stays pure.
 */
public final class SpecFiles {

  /** Far above any real spec; stops a stray binary or log file from being read into memory. */
  static final long MAX_BYTES = 4L << 20;

  private final SpecParser parser;

  public SpecFiles(SpecParser parser) {
    this.parser = parser;
  }

  /**
   * The spec files a path stands for: the file itself, or a directory's {@code *.yaml} and {@code
   * *.yml} files (not its subdirectories, so {@code env-specs/schema/} is left alone), by name.
   *
   * @throws IOException when a directory cannot be listed
   */
  public List<Path> expand(Path path) throws IOException {
    if (!Files.isDirectory(path)) {
      return List.of(path);
    }
    try (Stream<Path> entries = Files.list(path)) {
      return entries
          .filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().matches(".*\\.ya?ml"))
          .sorted()
          .toList();
    }
  }

  /** Parses one file, reporting an unreadable or non-UTF-8 file as a spec error, not a throw. */
  public SpecParseResult load(Path file) {
    String source = file.toString();
    String content;
    try {
      if (Files.size(file) > MAX_BYTES) {
        return unreadable(
            source, "is larger than " + MAX_BYTES + " bytes: a spec is a few kilobytes");
      }
      // Decoded strictly, so a Latin-1 file is reported as such rather than as mojibake.
      content =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
              .toString();
    } catch (CharacterCodingException e) {
      return unreadable(source, "is not UTF-8 text: save it as UTF-8");
    } catch (IOException e) {
      return unreadable(source, "cannot be read: " + e);
    }
    return parser.parse(source, content);
  }

  /** Parses every spec file the paths stand for, in order. */
  public List<SpecParseResult> loadAll(List<Path> paths) {
    List<SpecParseResult> results = new ArrayList<>();
    for (Path path : paths) {
      List<Path> files;
      try {
        files = expand(path);
      } catch (IOException e) {
        results.add(unreadable(path.toString(), "cannot be listed: " + e));
        continue;
      }
      files.forEach(file -> results.add(load(file)));
    }
    return results;
  }

  private static SpecParseResult unreadable(String source, String message) {
    return new SpecParseResult.Invalid(
        source, List.of(new SpecError(source, 1, 1, "", "the file " + message)));
  }
}

package dev.branchyard.spec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.branchyard.spec.YamlNode.Entry;
import dev.branchyard.spec.YamlNode.ListNode;
import dev.branchyard.spec.YamlNode.MapNode;
import dev.branchyard.spec.YamlNode.Mark;
import dev.branchyard.spec.YamlNode.Scalar;
import dev.branchyard.spec.YamlNode.ScalarType;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads one YAML document into a {@link YamlNode} tree, turning every syntax problem into a {@link
 * SpecError} with a location instead of an exception.
 *
 * <p>Specs come from pull requests of people we may not trust, so the reader is hardened: aliases
 * are rejected outright (Jackson reports them unexpanded, and env specs have no need for them,
 * which also rules out "billion laughs" documents), nesting depth and document size are capped, and
 * duplicate keys are errors rather than silently "last one wins".
 */
final class YamlTreeReader {

  /** Deep enough for any sensible {@code values} tree; shallow enough to never exhaust a stack. */
  static final int MAX_DEPTH = 64;

  /** 1 MiB of text: specs are a few kilobytes; anything far larger is a mistake or an attack. */
  static final int MAX_CODE_POINTS = 1 << 20;

  private static final YAMLFactory FACTORY = createFactory();

  private final String file;

  YamlTreeReader(String file) {
    this.file = file;
  }

  /** The root node, or the one error that stopped reading. */
  sealed interface Outcome {}

  record Tree(YamlNode root) implements Outcome {}

  record Failure(SpecError error) implements Outcome {}

  Outcome read(String content) {
    if (content.codePointCount(0, content.length()) > MAX_CODE_POINTS) {
      return failure(
          Mark.START,
          "the file is larger than " + MAX_CODE_POINTS + " characters: a spec is a few kilobytes");
    }
    try (YAMLParser parser = (YAMLParser) FACTORY.createParser(content)) {
      return read(parser);
    } catch (IOException | RuntimeException e) {
      return failure(e);
    }
  }

  Outcome read(Reader content) {
    try (YAMLParser parser = (YAMLParser) FACTORY.createParser(content)) {
      return read(parser);
    } catch (IOException | RuntimeException e) {
      return failure(e);
    }
  }

  private Outcome read(YAMLParser parser) throws IOException {
    if (parser.nextToken() == null) {
      return failure(Mark.START, "the file is empty: a spec needs at least a name and components");
    }
    YamlNode root;
    try {
      root = node(parser, 0);
    } catch (Stop stop) {
      return failure(stop.mark, stop.getMessage());
    }
    if (parser.nextToken() != null) {
      return failure(
          mark(parser.currentTokenLocation()),
          "a second YAML document starts here: an env spec file holds exactly one stack");
    }
    return new Tree(root);
  }

  private YamlNode node(YAMLParser parser, int depth) throws IOException {
    Mark mark = mark(parser.currentTokenLocation());
    if (depth > MAX_DEPTH) {
      throw new Stop(mark, "the document nests deeper than " + MAX_DEPTH + " levels");
    }
    if (parser.isCurrentAlias()) {
      throw new Stop(
          mark,
          "YAML aliases (*"
              + parser.getText()
              + ") are not supported in env specs: write the value out in full");
    }
    JsonToken token = parser.currentToken();
    return switch (token) {
      case START_OBJECT -> mapping(parser, mark, depth);
      case START_ARRAY -> sequence(parser, mark, depth);
      case VALUE_STRING -> new Scalar(mark, parser.getText(), ScalarType.STRING);
      case VALUE_NUMBER_INT -> new Scalar(mark, parser.getText(), ScalarType.INTEGER);
      case VALUE_NUMBER_FLOAT -> new Scalar(mark, parser.getText(), ScalarType.FLOAT);
      case VALUE_TRUE, VALUE_FALSE -> new Scalar(mark, parser.getText(), ScalarType.BOOLEAN);
      case VALUE_NULL -> new Scalar(mark, "", ScalarType.NULL);
      default ->
          throw new Stop(
              mark,
              "unsupported YAML value (" + token + "): use strings, numbers, lists and mappings");
    };
  }

  private MapNode mapping(YAMLParser parser, Mark mark, int depth) throws IOException {
    List<Entry> entries = new ArrayList<>();
    Map<String, Mark> seen = new HashMap<>();
    for (JsonToken token = parser.nextToken();
        token != JsonToken.END_OBJECT;
        token = parser.nextToken()) {
      if (token != JsonToken.FIELD_NAME) {
        throw new Stop(mark(parser.currentTokenLocation()), "expected a key here");
      }
      String key = parser.currentName();
      Mark keyMark = mark(parser.currentTokenLocation());
      Mark earlier = seen.putIfAbsent(key, keyMark);
      if (earlier != null) {
        throw new Stop(
            keyMark,
            "duplicate key '"
                + key
                + "' (first defined at line "
                + earlier.line()
                + "): each key may appear once per mapping");
      }
      parser.nextToken();
      entries.add(new Entry(key, keyMark, node(parser, depth + 1)));
    }
    return new MapNode(mark, entries);
  }

  private ListNode sequence(YAMLParser parser, Mark mark, int depth) throws IOException {
    List<YamlNode> items = new ArrayList<>();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      items.add(node(parser, depth + 1));
    }
    return new ListNode(mark, items);
  }

  private Failure failure(Mark mark, String message) {
    return new Failure(new SpecError(file, mark.line(), mark.column(), "", message));
  }

  private Failure failure(Exception e) {
    // SnakeYAML knows both the problem and where it is; Jackson's wrapper loses the former's
    // wording in a multi-line message, so prefer the original when it is in the cause chain.
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
        String problem = marked.getProblem() == null ? "invalid YAML" : marked.getProblem();
        String context = marked.getContext() == null ? "" : " (" + marked.getContext() + ")";
        Mark at =
            new Mark(
                marked.getProblemMark().getLine() + 1, marked.getProblemMark().getColumn() + 1);
        if (problem.contains("\\t(TAB)") || problem.contains("'\\t'")) {
          return failure(
              at, "invalid YAML: a tab character: indent with spaces, YAML does not allow tabs");
        }
        return failure(at, "invalid YAML: " + firstLine(problem) + context);
      }
    }
    Mark mark = e instanceof JacksonException jackson ? mark(jackson.getLocation()) : Mark.START;
    String message =
        e instanceof JacksonException jackson ? jackson.getOriginalMessage() : e.getMessage();
    return failure(mark, "invalid YAML: " + firstLine(message == null ? e.toString() : message));
  }

  private static String firstLine(String message) {
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).strip();
  }

  private static Mark mark(JsonLocation location) {
    if (location == null) {
      return Mark.START;
    }
    return new Mark(location.getLineNr(), location.getColumnNr());
  }

  private static YAMLFactory createFactory() {
    LoaderOptions options = new LoaderOptions();
    // Duplicates are found while building the tree, with a clearer message than Jackson's.
    options.setAllowDuplicateKeys(true);
    options.setMaxAliasesForCollections(10);
    options.setAllowRecursiveKeys(false);
    options.setNestingDepthLimit(MAX_DEPTH);
    options.setCodePointLimit(MAX_CODE_POINTS);
    options.setProcessComments(false);
    return YAMLFactory.builder()
        .loaderOptions(options)
        .streamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH + 2)
                .maxStringLength(MAX_CODE_POINTS)
                .maxNameLength(MAX_CODE_POINTS)
                .build())
        .build();
  }

  /** Ends reading at the first structural problem; never escapes this class. */
  private static final class Stop extends RuntimeException {
    private final transient Mark mark;

    Stop(Mark mark, String message) {
      super(message, null, false, false);
      this.mark = mark;
    }
  }
}

package dev.branchyard.deploy;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.branchyard.Pure;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a stream of YAML documents into mutable JSON-like trees, handing every string scalar to a
 * {@link ScalarRewriter} on the way, with its location. Empty documents are skipped.
 *
 * <p>Rewriting while reading, rather than on the raw text, is what keeps substituted values from
 * ever being parsed as YAML. Charts come from component repos that pull requests may change, so
 * reading is defensive like the spec reader's: aliases are rejected (Jackson would hand them over
 * unexpanded), duplicate keys are errors, depth and size are capped.
 */
@Pure
final class YamlDocuments {

  /** Kubernetes objects nest a few dozen levels at most. */
  static final int MAX_DEPTH = 100;

  /** Large charts render to a few megabytes. */
  static final int MAX_CODE_POINTS = 16 << 20;

  private static final YAMLFactory FACTORY = createFactory();

  private static final String STRING_TAG = "tag:yaml.org,2002:str";

  private YamlDocuments() {}

  /** A line and column, both 1-based. */
  record Mark(int line, int column) {
    static final Mark START = new Mark(1, 1);

    String in(String file) {
      return file + ":" + line + ":" + column;
    }
  }

  /**
   * One document.
   *
   * @param start where its root mapping starts
   * @param tree the root mapping, mutable
   * @param marks locations of the top-level values and of those under {@code metadata}, by dotted
   *     path ({@code kind}, {@code metadata.namespace}), for errors about the object as a whole
   */
  record Document(Mark start, Map<String, Object> tree, Map<String, Mark> marks) {
    Mark mark(String path) {
      return marks.getOrDefault(path, start);
    }
  }

  /** Replaces a string scalar with any JSON-like value, or fails with a located message. */
  interface ScalarRewriter {
    /**
     * @param text the scalar's text
     * @param explicitString true when the scalar carries YAML's {@code !!str} tag
     */
    Object rewrite(String text, boolean explicitString, Mark mark) throws RenderException;

    /** Called for every mapping key; may reject it. */
    void checkKey(String key, Mark mark) throws RenderException;
  }

  /** A rewriter that leaves everything as it is. */
  static final ScalarRewriter VERBATIM =
      new ScalarRewriter() {
        @Override
        public Object rewrite(String text, boolean explicitString, Mark mark) {
          return text;
        }

        @Override
        public void checkKey(String key, Mark mark) {}
      };

  /**
   * The non-empty documents of {@code text}, in order.
   *
   * @param file names the text in error messages
   * @throws RenderException on invalid YAML, a document that is not a mapping, or a rewriter error
   */
  static List<Document> read(String file, String text, ScalarRewriter rewriter)
      throws RenderException {
    if (text.codePointCount(0, text.length()) > MAX_CODE_POINTS) {
      throw new RenderException(
          file + ": larger than " + MAX_CODE_POINTS + " characters: split it into smaller files");
    }
    List<Document> documents = new ArrayList<>();
    try (YAMLParser parser = (YAMLParser) FACTORY.createParser(text)) {
      new Reader(file, parser, rewriter).readAll(documents);
    } catch (IOException | RuntimeException e) {
      throw syntaxError(file, text, e);
    }
    return documents;
  }

  private static final class Reader {
    private final String file;
    private final YAMLParser parser;
    private final ScalarRewriter rewriter;

    Reader(String file, YAMLParser parser, ScalarRewriter rewriter) {
      this.file = file;
      this.parser = parser;
      this.rewriter = rewriter;
    }

    void readAll(List<Document> documents) throws IOException, RenderException {
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        Mark start = mark(parser.currentTokenLocation());
        if (token == JsonToken.VALUE_NULL
            || token == JsonToken.VALUE_STRING && parser.getText().isEmpty()) {
          continue; // an empty document: "---" followed by nothing, or only comments
        }
        if (token != JsonToken.START_OBJECT) {
          throw new RenderException(
              start.in(file)
                  + ": a document must be a Kubernetes object (a mapping with apiVersion, kind and"
                  + " metadata), not "
                  + describe(token));
        }
        Map<String, Mark> marks = new LinkedHashMap<>();
        @SuppressWarnings("unchecked")
        Map<String, Object> tree = (Map<String, Object>) value("", marks, 0);
        documents.add(new Document(start, tree, marks));
      }
    }

    /** The current token's value; {@code path} is dotted while it is worth recording marks. */
    private Object value(String path, Map<String, Mark> marks, int depth)
        throws IOException, RenderException {
      Mark mark = mark(parser.currentTokenLocation());
      if (depth > MAX_DEPTH) {
        throw new RenderException(
            mark.in(file) + ": the document nests deeper than " + MAX_DEPTH + " levels");
      }
      if (parser.isCurrentAlias()) {
        throw new RenderException(
            mark.in(file)
                + ": YAML aliases (*"
                + parser.getText()
                + ") are not supported: write the value out in full");
      }
      if (path != null && !path.isEmpty()) {
        marks.put(path, mark);
      }
      JsonToken token = parser.currentToken();
      return switch (token) {
        case START_OBJECT -> mapping(path, marks, depth);
        case START_ARRAY -> sequence(marks, depth);
        case VALUE_STRING ->
            rewriter.rewrite(parser.getText(), STRING_TAG.equals(parser.getTypeId()), mark);
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getNumberValue();
        case VALUE_TRUE -> Boolean.TRUE;
        case VALUE_FALSE -> Boolean.FALSE;
        case VALUE_NULL -> null;
        default ->
            throw new RenderException(
                mark.in(file)
                    + ": unsupported YAML value ("
                    + token
                    + "): use strings, numbers, booleans, lists and mappings");
      };
    }

    private Map<String, Object> mapping(String path, Map<String, Mark> marks, int depth)
        throws IOException, RenderException {
      Map<String, Object> map = new LinkedHashMap<>();
      Map<String, Mark> keyMarks = new LinkedHashMap<>();
      for (JsonToken token = parser.nextToken();
          token != JsonToken.END_OBJECT;
          token = parser.nextToken()) {
        String key = parser.currentName();
        Mark keyMark = mark(parser.currentTokenLocation());
        rewriter.checkKey(key, keyMark);
        Mark earlier = keyMarks.putIfAbsent(key, keyMark);
        if (earlier != null) {
          throw new RenderException(
              keyMark.in(file)
                  + ": duplicate key '"
                  + key
                  + "' (first at line "
                  + earlier.line()
                  + "): each key may appear once per mapping");
        }
        parser.nextToken();
        map.put(key, value(childPath(path, key), marks, depth + 1));
      }
      return map;
    }

    private List<Object> sequence(Map<String, Mark> marks, int depth)
        throws IOException, RenderException {
      List<Object> list = new ArrayList<>();
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        list.add(value(null, marks, depth + 1));
      }
      return list;
    }

    /** Marks are kept for the top level and {@code metadata.*}: what object-level errors name. */
    private static String childPath(String path, String key) {
      if (path == null) {
        return null;
      }
      if (path.isEmpty()) {
        return key;
      }
      return path.equals("metadata") ? path + "." + key : null;
    }
  }

  private static String describe(JsonToken token) {
    return switch (token) {
      case START_ARRAY -> "a list";
      case VALUE_STRING -> "a string";
      default -> "a scalar";
    };
  }

  private static RenderException syntaxError(String file, String text, Exception e) {
    if (e instanceof RenderException render) {
      return render;
    }
    Mark at = Mark.START;
    String problem = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
        at =
            new Mark(
                marked.getProblemMark().getLine() + 1, marked.getProblemMark().getColumn() + 1);
        problem =
            (marked.getProblem() == null ? "invalid YAML" : firstLine(marked.getProblem()))
                + (marked.getContext() == null ? "" : " (" + marked.getContext() + ")");
        break;
      }
    }
    if (problem == null) {
      if (e instanceof JacksonException jackson && jackson.getLocation() != null) {
        at = mark(jackson.getLocation());
        problem = firstLine(String.valueOf(jackson.getOriginalMessage()));
      } else {
        problem = firstLine(String.valueOf(e.getMessage()));
      }
    }
    if (problem.contains("\\t(TAB)") || problem.contains("'\\t'")) {
      problem = "a tab character: indent with spaces, YAML does not allow tabs";
    }
    if (lineOf(text, at.line()).contains("{{")) {
      // Unquoted, "{{" opens a flow mapping in a flow mapping: SnakeYAML's wording is no help.
      problem =
          (problem.contains("org.yaml.snakeyaml") ? "'{' starts a mapping here" : problem)
              + "; a value that starts with a placeholder must be quoted: \"{{ image }}\"";
    }
    return new RenderException(at.in(file) + ": invalid YAML: " + problem, e);
  }

  private static String lineOf(String text, int line) {
    String[] lines = text.split("\n", -1);
    return line >= 1 && line <= lines.length ? lines[line - 1] : "";
  }

  private static String firstLine(String message) {
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).strip();
  }

  private static Mark mark(JsonLocation location) {
    return location == null || location.getLineNr() < 1
        ? Mark.START
        : new Mark(location.getLineNr(), location.getColumnNr());
  }

  private static YAMLFactory createFactory() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(true); // found while building the tree, with a clearer message
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
}

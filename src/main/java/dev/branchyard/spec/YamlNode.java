package dev.branchyard.spec;

import java.util.List;

/**
 * A YAML document as a tree whose every node remembers where it starts, so that validation errors
 * can name a line and column; Jackson's own {@code JsonNode} forgets locations.
 */
sealed interface YamlNode {

  Mark mark();

  /** A 1-based line and column in the source. */
  record Mark(int line, int column) {
    static final Mark START = new Mark(1, 1);

    public Mark {
      line = Math.max(1, line);
      column = Math.max(1, column);
    }
  }

  /** A mapping; keys keep their own marks so unknown or duplicate keys point at the key. */
  record MapNode(Mark mark, List<Entry> entries) implements YamlNode {
    public MapNode {
      entries = List.copyOf(entries);
    }
  }

  /** One key of a mapping. */
  record Entry(String key, Mark keyMark, YamlNode value) {}

  record ListNode(Mark mark, List<YamlNode> items) implements YamlNode {
    public ListNode {
      items = List.copyOf(items);
    }
  }

  /** A scalar with its source text (numbers keep their spelling, e.g. a tag named {@code 1.10}). */
  record Scalar(Mark mark, String text, ScalarType type) implements YamlNode {}

  enum ScalarType {
    STRING,
    INTEGER,
    FLOAT,
    BOOLEAN,
    NULL
  }

  /** What a user would call this kind of node in an error message. */
  static String describe(YamlNode node) {
    if (node instanceof MapNode) {
      return "a mapping";
    }
    if (node instanceof ListNode) {
      return "a list";
    }
    Scalar scalar = (Scalar) node;
    return switch (scalar.type()) {
      case NULL -> "an empty value";
      case BOOLEAN -> "the boolean " + scalar.text();
      case INTEGER, FLOAT -> "the number " + scalar.text();
      case STRING -> "the string \"" + scalar.text() + "\"";
    };
  }
}

package dev.branchyard.spec;

import dev.branchyard.spec.YamlNode.Entry;
import dev.branchyard.spec.YamlNode.ListNode;
import dev.branchyard.spec.YamlNode.MapNode;
import dev.branchyard.spec.YamlNode.Mark;
import dev.branchyard.spec.YamlNode.Scalar;
import dev.branchyard.spec.YamlNode.ScalarType;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Typed reads from a {@link YamlNode} tree that record a located {@link SpecError} instead of
 * failing, so that one pass over a spec reports every problem in it.
 */
final class NodeReader {

  /** Longer numbers in free-form values are kept as written; no real value needs more digits. */
  static final int MAX_NUMBER_LENGTH = 100;

  private final String file;
  private final List<SpecError> errors = new ArrayList<>();

  NodeReader(String file) {
    this.file = file;
  }

  List<SpecError> errors() {
    return List.copyOf(errors);
  }

  boolean hasErrors() {
    return !errors.isEmpty();
  }

  void error(Mark mark, String path, String message) {
    errors.add(new SpecError(file, mark.line(), mark.column(), path, message));
  }

  static String child(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  static String item(String path, int index) {
    return path + "[" + index + "]";
  }

  /**
   * The known fields of a mapping by key; reports every unknown key with the closest known one.
   *
   * @param what the mapping's kind in messages, e.g. "a component"
   */
  Map<String, Entry> fields(MapNode map, String path, List<String> known, String what) {
    Map<String, Entry> fields = new LinkedHashMap<>();
    for (Entry entry : map.entries()) {
      if (known.contains(entry.key())) {
        fields.put(entry.key(), entry);
        continue;
      }
      String hint =
          ClosestName.among(entry.key(), known)
              .map(name -> "did you mean '" + name + "'?")
              .orElse("known fields are " + String.join(", ", known));
      error(entry.keyMark(), child(path, entry.key()), "is not a field of " + what + ": " + hint);
    }
    return fields;
  }

  /** Reports a missing required field at the mapping that lacks it. */
  void missing(MapNode map, String path, String hint) {
    error(map.mark(), path, "is required: " + hint);
  }

  Optional<MapNode> mapping(YamlNode node, String path, String expected) {
    if (node instanceof MapNode map) {
      return Optional.of(map);
    }
    error(node.mark(), path, "must be " + expected + ", not " + YamlNode.describe(node));
    return Optional.empty();
  }

  Optional<List<YamlNode>> list(YamlNode node, String path, String expected) {
    if (node instanceof ListNode list) {
      return Optional.of(list.items());
    }
    error(node.mark(), path, "must be " + expected + ", not " + YamlNode.describe(node));
    return Optional.empty();
  }

  /** A non-empty scalar's text; numbers and booleans count, since tag names may look like them. */
  Optional<String> text(YamlNode node, String path, String expected) {
    if (node instanceof Scalar scalar
        && scalar.type() != ScalarType.NULL
        && !scalar.text().isBlank()) {
      return Optional.of(scalar.text());
    }
    error(node.mark(), path, "must be " + expected + ", not " + YamlNode.describe(node));
    return Optional.empty();
  }

  Optional<Boolean> bool(YamlNode node, String path) {
    if (node instanceof Scalar scalar && scalar.type() == ScalarType.BOOLEAN) {
      return Optional.of(Boolean.parseBoolean(scalar.text().strip()));
    }
    error(node.mark(), path, "must be true or false, not " + YamlNode.describe(node));
    return Optional.empty();
  }

  Optional<Integer> integer(YamlNode node, String path, int min, int max) {
    if (node instanceof Scalar scalar && scalar.type() == ScalarType.INTEGER) {
      try {
        int value = Integer.parseInt(scalar.text().strip().replace("_", ""));
        if (value >= min && value <= max) {
          return Optional.of(value);
        }
      } catch (NumberFormatException e) {
        // Out of int range or an exotic YAML spelling: both get the range message below.
      }
    }
    error(
        node.mark(),
        path,
        "must be a whole number from " + min + " to " + max + ", not " + YamlNode.describe(node));
    return Optional.empty();
  }

  // --- reads shared by the binders ------------------------------------------------------------

  @SuppressWarnings("unchecked")
  Optional<Map<String, Object>> values(YamlNode node, String path) {
    return mapping(node, path, "a mapping of template values")
        .map(map -> (Map<String, Object>) plain(map));
  }

  Optional<YamlNode> required(
      MapNode map, Map<String, Entry> f, String path, String key, String hint) {
    Entry entry = f.get(key);
    if (entry == null) {
      missing(map, child(path, key), hint);
      return Optional.empty();
    }
    return Optional.of(entry.value());
  }

  static Optional<YamlNode> optional(Map<String, Entry> f, String key) {
    return Optional.ofNullable(f.get(key)).map(Entry::value);
  }

  Optional<String> dnsLabel(YamlNode node, String path) {
    return checked(
        node, path, "a DNS label", KubernetesNames::isDnsLabel, KubernetesNames.DNS_LABEL_RULE);
  }

  /** A text value that passes {@code rule}, else an error {@code "value" is not <what>: <how>}. */
  Optional<String> checked(
      YamlNode node, String path, String what, Predicate<String> rule, String how) {
    Optional<String> text = text(node, path, what);
    if (text.isPresent() && !rule.test(text.get())) {
      error(node.mark(), path, "\"" + text.get() + "\" is not " + what + ": " + how);
      return Optional.empty();
    }
    return text;
  }

  /** A list of distinct text values that each pass {@code rule}. */
  List<String> names(YamlNode node, String path, String what, Predicate<String> rule, String how) {
    List<String> names = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    List<YamlNode> items = list(node, path, "a list").orElse(List.of());
    for (int i = 0; i < items.size(); i++) {
      YamlNode itemNode = items.get(i);
      String itemPath = item(path, i);
      Optional<String> name = checked(itemNode, itemPath, "a valid " + what, rule, how);
      if (name.isEmpty()) {
        continue;
      }
      Integer first = seen.putIfAbsent(name.get(), i);
      if (first != null) {
        error(itemNode.mark(), itemPath, "\"" + name.get() + "\" repeats " + item(path, first));
      } else {
        names.add(name.get());
      }
    }
    return names;
  }

  /** Free-form values as plain Java: maps, lists, strings, numbers, booleans and nulls. */
  static Object plain(YamlNode node) {
    if (node instanceof MapNode map) {
      Map<String, Object> values = new LinkedHashMap<>();
      map.entries().forEach(entry -> values.put(entry.key(), plain(entry.value())));
      return values;
    }
    if (node instanceof ListNode list) {
      return list.items().stream().map(NodeReader::plain).toList();
    }
    Scalar scalar = (Scalar) node;
    return switch (scalar.type()) {
      case NULL -> null;
      case BOOLEAN -> Boolean.parseBoolean(scalar.text().strip());
      case INTEGER -> integerValue(scalar.text());
      case FLOAT -> floatValue(scalar.text());
      case STRING -> scalar.text();
    };
  }

  private static Object integerValue(String text) {
    // BigInteger parsing is quadratic in the digits: a hostile 1 MiB number must stay text.
    if (text.length() > MAX_NUMBER_LENGTH) {
      return text;
    }
    try {
      BigInteger value = new BigInteger(text.strip().replace("_", ""));
      return value.bitLength() < 64 ? (Object) value.longValue() : value;
    } catch (NumberFormatException e) {
      // Hex, octal or sexagesimal YAML spellings: keep what the author wrote.
      return text;
    }
  }

  private static Object floatValue(String text) {
    if (text.length() > MAX_NUMBER_LENGTH) {
      return text;
    }
    try {
      return Double.parseDouble(text.strip().replace("_", ""));
    } catch (NumberFormatException e) {
      // .inf, .nan and friends: keep what the author wrote.
      return text;
    }
  }
}

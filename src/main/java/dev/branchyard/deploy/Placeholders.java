package dev.branchyard.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.branchyard.Pure;
import dev.branchyard.deploy.YamlDocuments.Mark;
import dev.branchyard.spec.ClosestName;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Substitutes {@code {{ name }}} placeholders in the string scalars of one template file.
 *
 * <p>A scalar that is exactly one placeholder becomes the value itself, keeping its type (a number,
 * a boolean, a mapping or list from {@code values}); YAML's {@code !!str} tag keeps it a string. A
 * placeholder inside a longer string is replaced by the value's text (mappings and lists as JSON).
 * Substituted text is never scanned again, so values cannot introduce placeholders either. {@code
 * {{ "{{" }}} writes a literal {@code {{}.
 */
@Pure
final class Placeholders implements YamlDocuments.ScalarRewriter {

  /**
   * The names that are not prefixes ({@code service.}, {@code values.}), in documentation order.
   */
  static final List<String> FIXED_NAMES =
      List.of("image", "env", "namespace", "host", "component", "commit", "repo", "spec");

  private static final String SERVICE = "service.";
  private static final String VALUES = "values.";
  private static final String LITERAL_OPEN = "\"{{\"";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]+");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String file;
  private final RenderContext context;

  Placeholders(String file, RenderContext context) {
    this.file = file;
    this.context = context;
  }

  @Override
  public void checkKey(String key, Mark mark) throws RenderException {
    if (key.contains("{{")) {
      throw new RenderException(
          mark.in(file)
              + ": placeholder in the key '"
              + key
              + "': placeholders are allowed in values only, since keys are the object's structure");
    }
  }

  @Override
  public Object rewrite(String text, boolean explicitString, Mark mark) throws RenderException {
    if (!text.contains("{{")) {
      return text;
    }
    List<Object> parts = parts(text, mark);
    if (parts.size() == 1 && parts.get(0) instanceof Name name) {
      Object value = resolve(name.name(), mark);
      return explicitString ? stringify(value) : mutableCopy(value);
    }
    StringBuilder out = new StringBuilder();
    for (Object part : parts) {
      out.append(part instanceof Name name ? stringify(resolve(name.name(), mark)) : part);
    }
    return out.toString();
  }

  private record Name(String name) {}

  /** Literal strings and {@link Name}s, in order. */
  private List<Object> parts(String text, Mark mark) throws RenderException {
    List<Object> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int at = 0;
    while (at < text.length()) {
      int open = text.indexOf("{{", at);
      if (open < 0) {
        literal.append(text, at, text.length());
        break;
      }
      literal.append(text, at, open);
      int close = text.indexOf("}}", open + 2);
      if (close < 0) {
        throw new RenderException(
            mark.in(file)
                + ": '{{' without a closing '}}' in \""
                + text
                + "\": write placeholders as {{ name }}, and a literal '{{' as {{ \"{{\" }}");
      }
      String inner = text.substring(open + 2, close).strip();
      if (inner.equals(LITERAL_OPEN)) {
        literal.append("{{");
      } else {
        if (!literal.isEmpty()) {
          parts.add(literal.toString());
          literal.setLength(0);
        }
        if (!NAME.matcher(inner).matches()) {
          throw unknown(inner, mark);
        }
        parts.add(new Name(inner));
      }
      at = close + 2;
    }
    if (!literal.isEmpty()) {
      parts.add(literal.toString());
    }
    return parts;
  }

  private Object resolve(String name, Mark mark) throws RenderException {
    switch (name) {
      case "image":
        return context
            .image()
            .orElseThrow(
                () ->
                    missing(
                        mark,
                        name,
                        "component '"
                            + context.component()
                            + "' builds no image (its spec has no build:); write the image"
                            + " reference out, or add a build to the component"));
      case "host":
        return context
            .host()
            .orElseThrow(
                () ->
                    missing(
                        mark,
                        name,
                        "spec '"
                            + context.spec()
                            + "' has no ingress: host pattern, so environments have no host"));
      case "env":
        return context.environment();
      case "namespace":
        return context.namespace();
      case "component":
        return context.component();
      case "commit":
        return context.commitSha();
      case "repo":
        return context.repo();
      case "spec":
        return context.spec();
      default:
        break;
    }
    if (name.startsWith(SERVICE)) {
      String component = name.substring(SERVICE.length());
      String service = context.services().get(component);
      if (service == null) {
        String suggestion =
            ClosestName.among(component, context.services().keySet())
                .map(c -> " Did you mean '" + SERVICE + c + "'?")
                .orElse("");
        throw missing(
            mark,
            name,
            "no component '"
                + component
                + "' has a service; components: "
                + String.join(", ", new TreeSet<>(context.services().keySet()))
                + "."
                + suggestion);
      }
      return service;
    }
    if (name.startsWith(VALUES)) {
      return value(name, mark);
    }
    throw unknown(name, mark);
  }

  private Object value(String name, Mark mark) throws RenderException {
    String[] segments = name.substring(VALUES.length()).split("\\.", -1);
    Object current = context.values();
    StringBuilder walked = new StringBuilder("values");
    for (String segment : segments) {
      Object next;
      if (current instanceof Map<?, ?> map && map.containsKey(segment)) {
        next = map.get(segment);
      } else if (current instanceof List<?> list
          && segment.matches("[0-9]{1,9}")
          && Integer.parseInt(segment) < list.size()) {
        next = list.get(Integer.parseInt(segment));
      } else {
        String here =
            current instanceof Map<?, ?> map
                ? (map.isEmpty()
                    ? walked + " is empty"
                    : walked + " has " + String.join(", ", keys(map)))
                : current instanceof List<?> list
                    ? walked + " is a list of " + list.size() + " items (index from 0)"
                    : walked + " is " + stringify(current) + ", not a mapping";
        String suggestion =
            current instanceof Map<?, ?> map
                ? ClosestName.among(segment, keys(map))
                    .map(k -> " Did you mean '" + walked + "." + k + "'?")
                    .orElse("")
                : "";
        throw missing(
            mark,
            name,
            "no value '" + segment + "' under " + walked + ": " + here + "." + suggestion);
      }
      walked.append('.').append(segment);
      current = next;
    }
    return current;
  }

  private static List<String> keys(Map<?, ?> map) {
    return map.keySet().stream().map(String::valueOf).toList();
  }

  private RenderException missing(Mark mark, String name, String why) {
    return new RenderException(mark.in(file) + ": {{ " + name + " }} has no value: " + why);
  }

  private RenderException unknown(String name, Mark mark) {
    List<String> candidates = new ArrayList<>(FIXED_NAMES);
    context.services().keySet().forEach(c -> candidates.add(SERVICE + c));
    valuePaths(context.values(), "values", candidates, 0);
    String suggestion =
        ClosestName.among(name, candidates).map(c -> " Did you mean {{ " + c + " }}?").orElse("");
    return new RenderException(
        mark.in(file)
            + ": unknown placeholder {{ "
            + name
            + " }}: valid are "
            + String.join(", ", FIXED_NAMES)
            + ", service.<component> ("
            + (context.services().isEmpty()
                ? "no components have services"
                : String.join(", ", new TreeSet<>(context.services().keySet())))
            + ") and values.<path> (from the spec's values)."
            + suggestion);
  }

  /** Every path into {@code values}, for suggestions; bounded so huge values stay cheap. */
  private static void valuePaths(Object value, String prefix, List<String> out, int depth) {
    if (value instanceof Map<?, ?> map && depth < 8 && out.size() < 500) {
      map.forEach(
          (key, child) -> {
            String path = prefix + "." + key;
            out.add(path);
            valuePaths(child, path, out, depth + 1);
          });
    }
  }

  private static String stringify(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof String text) {
      return text;
    }
    if (value instanceof BigDecimal decimal) {
      return decimal.toPlainString();
    }
    if (value instanceof Map<?, ?> || value instanceof List<?>) {
      try {
        return JSON.writeValueAsString(value);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("values are JSON-like", e);
      }
    }
    return String.valueOf(value);
  }

  /** Values are frozen; the rendered tree is changed afterwards (labels, protocols). */
  private static Object mutableCopy(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((key, item) -> copy.put(String.valueOf(key), mutableCopy(item)));
      return copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      list.forEach(item -> copy.add(mutableCopy(item)));
      return copy;
    }
    return value;
  }
}

package dev.branchyard.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deep, order-keeping, unmodifiable copies of free-form template values. {@code Map.copyOf} would
 * reject the nulls YAML allows ({@code key:} with no value) and lose the author's key order.
 */
final class FrozenValues {

  private FrozenValues() {}

  static Map<String, Object> freeze(Map<String, Object> values) {
    Map<String, Object> copy = new LinkedHashMap<>();
    values.forEach((key, value) -> copy.put(key, freezeValue(value)));
    return Collections.unmodifiableMap(copy);
  }

  @SuppressWarnings("unchecked")
  private static Object freezeValue(Object value) {
    if (value instanceof Map<?, ?> map) {
      return freeze((Map<String, Object>) map);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      list.forEach(item -> copy.add(freezeValue(item)));
      return Collections.unmodifiableList(copy);
    }
    return value;
  }
}

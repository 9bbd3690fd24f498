package dev.branchyard.deploy;

import dev.branchyard.Pure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Deeply unmodifiable copies of JSON-like trees, keeping map order. */
@Pure
final class DeepFreeze {

  private DeepFreeze() {}

  static Map<String, Object> map(Map<String, ?> source) {
    Map<String, Object> copy = new LinkedHashMap<>();
    source.forEach((key, value) -> copy.put(key, value(value)));
    return Collections.unmodifiableMap(copy);
  }

  private static Object value(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((key, item) -> copy.put(String.valueOf(key), value(item)));
      return Collections.unmodifiableMap(copy);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      list.forEach(item -> copy.add(value(item)));
      return Collections.unmodifiableList(copy);
    }
    return value;
  }
}

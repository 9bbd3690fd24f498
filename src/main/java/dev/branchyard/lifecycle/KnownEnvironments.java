package dev.branchyard.lifecycle;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last state of each environment this process wrote or read, least recently used dropped first:
 * the base of the next write of it, which saves a read per write. Safe because every write carries
 * the base's resourceVersion: the API server refuses it if anyone else wrote since, and the writer
 * then reads afresh. Callers never change what they get (they write copies).
 */
final class KnownEnvironments {

  private final Map<String, Environment> byName;

  KnownEnvironments(int capacity) {
    this.byName =
        new LinkedHashMap<>(64, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Environment> eldest) {
            return size() > capacity;
          }
        };
  }

  synchronized Environment get(String name) {
    return byName.get(name);
  }

  synchronized void put(String name, Environment environment) {
    byName.put(name, environment);
  }

  synchronized void forget(String name) {
    byName.remove(name);
  }
}

package dev.branchyard.github;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * When pull requests' environments were last destroyed (by the PR's {@code updated_at}), so that a
 * delivery from before the destroy that arrives after it (GitHub does not keep order) cannot bring
 * the environment back: once an Environment is deleted, its {@code requested-at} annotation is gone
 * with it. Bounded, in this replica's memory; the least recently recorded go first.
 */
final class RecentDestroys {

  private final int maxEntries;

  /** Key: {@code repo#number|stack}, or {@code repo#number|*} for every stack of the PR. */
  private final LinkedHashMap<String, Instant> destroyedAt;

  RecentDestroys(int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("must remember at least one destroy");
    }
    this.maxEntries = maxEntries;
    this.destroyedAt =
        new LinkedHashMap<>(16, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
            return size() > RecentDestroys.this.maxEntries;
          }
        };
  }

  /** Records a destroy of one stack's environment of a PR, or of all of them when empty. */
  synchronized void record(String repo, int number, Optional<String> stack, Instant at) {
    String key = key(repo, number, stack.orElse("*"));
    Instant before = destroyedAt.remove(key);
    destroyedAt.put(key, before != null && before.isAfter(at) ? before : at);
  }

  /**
   * Whether a request for the stack's environment of a PR, made at {@code requestedAt}, is older
   * than a destroy already taken in (and must be dropped).
   */
  synchronized boolean supersedes(String repo, int number, String stack, Instant requestedAt) {
    return isAfter(destroyedAt.get(key(repo, number, "*")), requestedAt)
        || isAfter(destroyedAt.get(key(repo, number, stack)), requestedAt);
  }

  private static boolean isAfter(Instant destroyed, Instant requestedAt) {
    return destroyed != null && destroyed.isAfter(requestedAt);
  }

  private static String key(String repo, int number, String stack) {
    return repo.toLowerCase(Locale.ROOT) + "#" + number + "|" + stack;
  }
}

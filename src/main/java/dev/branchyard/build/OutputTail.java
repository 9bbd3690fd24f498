package dev.branchyard.build;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The last {@link BuildFailures#TAIL_LINES} lines of a build's output, for failure messages. Safe
 * to fill from an output-reading thread while the building thread reads it.
 */
final class OutputTail {

  private final Deque<String> lines = new ArrayDeque<>();

  synchronized void add(String line) {
    if (lines.size() == BuildFailures.TAIL_LINES) {
      lines.removeFirst();
    }
    lines.addLast(line);
  }

  synchronized List<String> lines() {
    return List.copyOf(lines);
  }
}

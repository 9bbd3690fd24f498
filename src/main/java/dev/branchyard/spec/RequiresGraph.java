package dev.branchyard.spec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code requires} relation between components, which must be a DAG since it orders deploys.
 */
final class RequiresGraph {

  /** One {@code requires} entry: {@code from} requires {@code to}; {@code at} locates it. */
  record Edge<L>(String from, String to, L at) {}

  /**
   * A cycle, closed by the edge {@code closing}.
   *
   * @param names the components along the cycle, first repeated last: {@code [web, api, web]}
   */
  record Cycle<L>(List<String> names, Edge<L> closing) {
    String describe() {
      return String.join(" -> ", names);
    }
  }

  private RequiresGraph() {}

  /**
   * Every distinct cycle, found by depth-first search in declaration order so that reports are
   * stable. Each back edge yields one cycle; cycles over the same set of components are reported
   * once.
   */
  static <L> List<Cycle<L>> cycles(List<String> nodes, List<Edge<L>> edges) {
    Map<String, List<Edge<L>>> out = new LinkedHashMap<>();
    nodes.forEach(node -> out.put(node, new ArrayList<>()));
    for (Edge<L> edge : edges) {
      if (out.containsKey(edge.from()) && out.containsKey(edge.to())) {
        out.get(edge.from()).add(edge);
      }
    }
    List<Cycle<L>> cycles = new ArrayList<>();
    Set<Set<String>> seen = new HashSet<>();
    Map<String, State> state = new HashMap<>();
    for (String start : out.keySet()) {
      if (state.get(start) == null) {
        visit(start, out, state, new ArrayDeque<>(), cycles, seen);
      }
    }
    return cycles;
  }

  private enum State {
    ON_PATH,
    DONE
  }

  private static <L> void visit(
      String node,
      Map<String, List<Edge<L>>> out,
      Map<String, State> state,
      Deque<String> path,
      List<Cycle<L>> cycles,
      Set<Set<String>> seen) {
    state.put(node, State.ON_PATH);
    path.addLast(node);
    for (Edge<L> edge : out.get(node)) {
      State target = state.get(edge.to());
      if (target == State.ON_PATH) {
        List<String> onPath = new ArrayList<>(path);
        List<String> names =
            new ArrayList<>(onPath.subList(onPath.indexOf(edge.to()), onPath.size()));
        if (seen.add(Set.copyOf(names))) {
          names.add(edge.to());
          cycles.add(new Cycle<>(List.copyOf(names), edge));
        }
      } else if (target == null) {
        visit(edge.to(), out, state, path, cycles, seen);
      }
    }
    path.removeLast();
    state.put(node, State.DONE);
  }
}

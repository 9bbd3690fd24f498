package dev.branchyard.build;

import io.smallrye.mutiny.Multi;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link BuildLogStore} for unit tests: every line of every build in one list. */
final class InMemoryBuildLogs implements BuildLogStore {

  final List<String> lines = new CopyOnWriteArrayList<>();

  @Override
  public BuildLogWriter open(ImageBuild build, int attempt) {
    String name = build.getMetadata().getName();
    return new BuildLogWriter() {
      @Override
      public void line(String line) {
        lines.add(line);
      }

      @Override
      public String logRef() {
        return "memory/" + name;
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public Multi<String> follow(String buildName) {
    return Multi.createFrom().iterable(lines);
  }

  @Override
  public String read(String buildName) {
    return String.join("\n", lines);
  }

  @Override
  public Optional<String> tail(String buildName, int count) {
    return lines.isEmpty()
        ? Optional.empty()
        : Optional.of(
            String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size())));
  }
}

package dev.branchyard.spec;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * The specs Branchyard works with: per stack name, the last good spec any source supplied, and per
 * source file what is wrong with it. Sources (a directory, a git branch) hand in complete
 * snapshots; the catalog decides what is published:
 *
 * <ul>
 *   <li>a valid file adds or replaces its stack;
 *   <li>an invalid file keeps its last good stack, and its errors are listed in {@link
 *       #problems()};
 *   <li>a file gone from its source takes its stack with it;
 *   <li>two files of one source declaring the same stack are both reported, and the version in use
 *       before (if any) stays;
 *   <li>a stack declared by two sources stays with the source that had it first (by the order
 *       sources first reported, when neither had it); the other source's file is reported.
 * </ul>
 *
 * Thread-safe: reads see an immutable view without locking, updates are serialized, and listeners
 * hear of each change in order, on the updating thread, so they must return quickly.
 */
public final class SpecCatalog {

  /** Hears of every change of the catalog, in order. */
  @FunctionalInterface
  public interface Listener {
    void onChange(CatalogChange change);
  }

  private final Clock clock;
  private final Object lock = new Object();

  /** By the order sources first reported, which decides cross-source conflicts. */
  private final Map<String, SourceState> sources = new LinkedHashMap<>();

  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private volatile View view = new View(0, Map.of(), List.of(), Map.of());

  public SpecCatalog(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Replaces what {@code sourceId} supplies with {@code snapshot}, and clears its failure, if any.
   */
  public CatalogChange apply(String sourceId, SourceSnapshot snapshot) {
    synchronized (lock) {
      Instant now = clock.instant();
      SourceState previous = sources.get(sourceId);
      Map<String, FileState> files = new TreeMap<>();
      for (SourceSnapshot.SnapshotFile file : snapshot.files()) {
        Optional<LoadedSpec> before =
            Optional.ofNullable(previous)
                .map(s -> s.files().get(file.file()))
                .flatMap(FileState::lastGood);
        FileState state;
        if (file.result() instanceof SpecParseResult.Valid valid) {
          // An unchanged spec keeps its original revision and load time.
          LoadedSpec good =
              before
                  .filter(b -> b.spec().equals(valid.spec()))
                  .orElseGet(
                      () ->
                          new LoadedSpec(
                              valid.spec(), sourceId, file.file(), file.revision(), now));
          state = new FileState(file.revision(), Optional.of(good), List.of());
        } else {
          state = new FileState(file.revision(), before, file.result().errors());
        }
        files.put(file.file(), state);
      }
      sources.put(sourceId, new SourceState(files, Optional.empty()));
      return publish();
    }
  }

  /**
   * Records that {@code sourceId} cannot be read at the moment (unreachable server, unreadable
   * directory). What it supplied before stays; the next {@link #apply} clears the failure.
   */
  public CatalogChange sourceFailed(String sourceId, String reason) {
    synchronized (lock) {
      SourceState previous = sources.get(sourceId);
      Map<String, FileState> files = previous == null ? Map.of() : previous.files();
      sources.put(sourceId, new SourceState(files, Optional.of(reason)));
      return publish();
    }
  }

  /** The good spec of stack {@code name}, if any. */
  public Optional<LoadedSpec> get(String name) {
    return Optional.ofNullable(view.specs().get(name));
  }

  /** Every good spec, by stack name. */
  public List<LoadedSpec> all() {
    return List.copyOf(view.specs().values());
  }

  /** Every file with a problem, by source and file. */
  public List<SpecProblem> problems() {
    return view.problems();
  }

  /** Sources that cannot be read at the moment, with the reason. */
  public Map<String, String> sourceFailures() {
    return view.failures();
  }

  /** Grows by one with every change; unchanged by updates that change nothing. */
  public long version() {
    return view.version();
  }

  public void addListener(Listener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  public void removeListener(Listener listener) {
    listeners.remove(listener);
  }

  private CatalogChange publish() {
    View old = view;
    Map<String, LoadedSpec> specs = new TreeMap<>();
    Map<FileKey, List<SpecError>> conflicts = new HashMap<>();
    candidatesByName().forEach((name, bySource) -> resolve(name, bySource, old, specs, conflicts));

    List<SpecProblem> problems = new ArrayList<>();
    Map<String, String> failures = new TreeMap<>();
    sources.forEach(
        (sourceId, source) -> {
          source.failure().ifPresent(reason -> failures.put(sourceId, reason));
          source
              .files()
              .forEach(
                  (file, state) -> {
                    List<SpecError> errors = new ArrayList<>(state.parseErrors());
                    errors.addAll(conflicts.getOrDefault(new FileKey(sourceId, file), List.of()));
                    if (!errors.isEmpty()) {
                      Optional<LoadedSpec> kept =
                          specs.values().stream()
                              .filter(s -> s.sourceId().equals(sourceId) && s.file().equals(file))
                              .findFirst();
                      problems.add(new SpecProblem(sourceId, file, state.revision(), errors, kept));
                    }
                  });
        });
    problems.sort(Comparator.comparing(SpecProblem::sourceId).thenComparing(SpecProblem::file));

    CatalogChange change = diff(old, specs, problems, failures);
    // Problems that differ only in their revision are updated silently, without a new version.
    if (!change.isEmpty() || !problems.equals(old.problems())) {
      view =
          new View(
              change.version(),
              Collections.unmodifiableMap(specs),
              List.copyOf(problems),
              Collections.unmodifiableMap(failures));
    }
    if (!change.isEmpty()) {
      listeners.forEach(listener -> listener.onChange(change));
    }
    return change;
  }

  /** Per stack name, per source (in source order), the files' last good specs. */
  private Map<String, Map<String, List<LoadedSpec>>> candidatesByName() {
    Map<String, Map<String, List<LoadedSpec>>> candidates = new TreeMap<>();
    sources.forEach(
        (sourceId, source) ->
            source
                .files()
                .values()
                .forEach(
                    state ->
                        state
                            .lastGood()
                            .ifPresent(
                                spec ->
                                    candidates
                                        .computeIfAbsent(spec.name(), n -> new LinkedHashMap<>())
                                        .computeIfAbsent(sourceId, s -> new ArrayList<>())
                                        .add(spec))));
    return candidates;
  }

  private static void resolve(
      String name,
      Map<String, List<LoadedSpec>> bySource,
      View old,
      Map<String, LoadedSpec> specs,
      Map<FileKey, List<SpecError>> conflicts) {
    LoadedSpec previous = old.specs().get(name);
    String owner =
        previous != null && bySource.containsKey(previous.sourceId())
            ? previous.sourceId()
            : bySource.keySet().iterator().next();
    List<LoadedSpec> owned = bySource.get(owner);
    if (owned.size() == 1) {
      specs.put(name, owned.get(0));
    } else {
      String files = owned.stream().map(LoadedSpec::file).collect(Collectors.joining(", "));
      boolean keepPrevious =
          previous != null
              && previous.sourceId().equals(owner)
              && owned.stream().anyMatch(s -> s.file().equals(previous.file()));
      for (LoadedSpec spec : owned) {
        conflict(
            conflicts,
            spec,
            "stack '"
                + name
                + "' is declared by more than one file ("
                + files
                + "); stack names must be unique, so rename one"
                + (keepPrevious ? " (the version from " + previous.file() + " stays in use)" : ""));
      }
      if (keepPrevious) {
        specs.put(name, previous);
      }
    }
    bySource.forEach(
        (sourceId, others) -> {
          if (!sourceId.equals(owner)) {
            for (LoadedSpec spec : others) {
              conflict(
                  conflicts,
                  spec,
                  "stack '"
                      + name
                      + "' is already defined by "
                      + owner
                      + "; the source that defines a stack first keeps it, so rename this one");
            }
          }
        });
  }

  private static void conflict(
      Map<FileKey, List<SpecError>> conflicts, LoadedSpec spec, String message) {
    conflicts
        .computeIfAbsent(new FileKey(spec.sourceId(), spec.file()), k -> new ArrayList<>())
        .add(new SpecError(spec.file(), 1, 1, "name", message));
  }

  private static CatalogChange diff(
      View old,
      Map<String, LoadedSpec> specs,
      List<SpecProblem> problems,
      Map<String, String> failures) {
    List<LoadedSpec> loaded =
        specs.values().stream().filter(s -> !s.equals(old.specs().get(s.name()))).toList();
    List<LoadedSpec> removed =
        old.specs().values().stream().filter(s -> !specs.containsKey(s.name())).toList();
    Map<FileKey, SpecProblem> oldProblems = byFile(old.problems());
    Map<FileKey, SpecProblem> newProblems = byFile(problems);
    List<SpecProblem> changedProblems =
        problems.stream()
            .filter(
                p -> {
                  SpecProblem before = oldProblems.get(new FileKey(p.sourceId(), p.file()));
                  return before == null || !before.sameAs(p);
                })
            .toList();
    List<SpecProblem> resolved =
        old.problems().stream()
            .filter(p -> !newProblems.containsKey(new FileKey(p.sourceId(), p.file())))
            .toList();
    Map<String, String> failed = new TreeMap<>(failures);
    failed.entrySet().removeIf(e -> e.getValue().equals(old.failures().get(e.getKey())));
    Set<String> recovered =
        old.failures().keySet().stream()
            .filter(s -> !failures.containsKey(s))
            .collect(Collectors.toSet());
    CatalogChange change =
        new CatalogChange(
            old.version() + 1, loaded, removed, changedProblems, resolved, failed, recovered);
    return change.isEmpty()
        ? new CatalogChange(
            old.version(), List.of(), List.of(), List.of(), List.of(), Map.of(), Set.of())
        : change;
  }

  private static Map<FileKey, SpecProblem> byFile(List<SpecProblem> problems) {
    Map<FileKey, SpecProblem> byFile = new HashMap<>();
    problems.forEach(p -> byFile.put(new FileKey(p.sourceId(), p.file()), p));
    return byFile;
  }

  private record FileKey(String sourceId, String file) {}

  private record FileState(
      String revision, Optional<LoadedSpec> lastGood, List<SpecError> parseErrors) {}

  private record SourceState(Map<String, FileState> files, Optional<String> failure) {}

  private record View(
      long version,
      Map<String, LoadedSpec> specs,
      List<SpecProblem> problems,
      Map<String, String> failures) {}
}

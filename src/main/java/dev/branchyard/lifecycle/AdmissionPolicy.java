package dev.branchyard.lifecycle;

import dev.branchyard.Pure;
import dev.branchyard.spec.Limits;
import dev.branchyard.spec.Limits.OnLimit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Whether a new environment may start, given every environment that exists: the stack's limit
 * ({@link Limits}) and Branchyard's global limit both apply.
 *
 * <p>Admitted environments hold a slot until they are gone, including while they are being deleted
 * (their namespace still uses the cluster). Waiting environments are served first in, first out (by
 * the time they started waiting, then by name), in one pass: each in turn is admitted if its stack
 * and Branchyard both have a free slot, so a waiter blocked by its own stack's limit does not hold
 * up waiters of other stacks. A stack with {@link OnLimit#EVICT_OLDEST} that is full evicts its
 * least recently updated environment for the first of its waiters, one eviction at a time: while an
 * environment of the stack is being deleted, its waiters wait for that slot instead of evicting
 * another. The global limit never evicts: waiters queue for it.
 *
 * <p>The decision is a pure function of its inputs, so every replica and every re-run of the
 * reconciler decides the same; each decision carries a sentence for the status and the timeline.
 */
@Pure
public final class AdmissionPolicy {

  private static final Comparator<EnvironmentSummary> FIFO =
      Comparator.comparing(EnvironmentSummary::waitingSince)
          .thenComparing(EnvironmentSummary::name);

  private static final Comparator<EnvironmentSummary> LEAST_RECENTLY_UPDATED =
      Comparator.comparing(EnvironmentSummary::lastUpdated)
          .thenComparing(EnvironmentSummary::createdAt)
          .thenComparing(EnvironmentSummary::name);

  private AdmissionPolicy() {}

  /**
   * What {@code candidate} gets.
   *
   * @param candidate the environment being reconciled
   * @param environments every environment in Branchyard's namespace; may include the candidate
   *     (matched by name, the candidate's own summary wins)
   * @param globalMax Branchyard's limit on environments of all stacks together ({@code
   *     branchyard.lifecycle.limits.max-environments})
   * @param limitsOf the limits of a stack by spec name (the candidate's stack and those of the
   *     other waiters; e.g. from the spec catalog, {@link Limits#defaults()} for an unknown one)
   */
  public static Decision decide(
      EnvironmentSummary candidate,
      Collection<EnvironmentSummary> environments,
      int globalMax,
      Function<String, Limits> limitsOf) {
    Objects.requireNonNull(candidate, "candidate");
    if (globalMax < 1) {
      throw new IllegalArgumentException("the global limit must be at least 1: " + globalMax);
    }
    if (candidate.admitted()) {
      return new Decision.Admit("already admitted");
    }
    Map<String, EnvironmentSummary> byName = new LinkedHashMap<>();
    for (EnvironmentSummary e : environments) {
      byName.put(e.name(), e);
    }
    byName.put(candidate.name(), candidate);

    Map<String, Integer> heldBySpec = new HashMap<>();
    Map<String, List<EnvironmentSummary>> evictableBySpec = new HashMap<>();
    Map<String, List<String>> leavingBySpec = new HashMap<>();
    int held = 0;
    List<EnvironmentSummary> waiting = new ArrayList<>();
    for (EnvironmentSummary e : byName.values()) {
      if (!e.admitted()) {
        // A waiter being deleted waits no more.
        if (!e.leaving() || e.name().equals(candidate.name())) {
          waiting.add(e);
        }
        continue;
      }
      held++;
      heldBySpec.merge(e.specName(), 1, Integer::sum);
      if (e.leaving()) {
        leavingBySpec.computeIfAbsent(e.specName(), s -> new ArrayList<>()).add(e.name());
      } else {
        evictableBySpec.computeIfAbsent(e.specName(), s -> new ArrayList<>()).add(e);
      }
    }
    waiting.sort(FIFO);
    leavingBySpec.values().forEach(names -> names.sort(Comparator.naturalOrder()));

    Map<String, Integer> queuedBySpec = new HashMap<>();
    int queuedGlobally = 0;
    Set<String> evicting = new HashSet<>();
    for (EnvironmentSummary w : waiting) {
      String spec = w.specName();
      Limits limits = Objects.requireNonNull(limitsOf.apply(spec), "no limits for " + spec);
      int inSpec = heldBySpec.getOrDefault(spec, 0);
      boolean isCandidate = w.name().equals(candidate.name());
      if (inSpec < limits.maxEnvironments()) {
        if (held < globalMax) {
          held++;
          heldBySpec.merge(spec, 1, Integer::sum);
          if (isCandidate) {
            return new Decision.Admit(
                spec
                    + " has "
                    + inSpec
                    + " of "
                    + limits.maxEnvironments()
                    + " environments and Branchyard "
                    + (held - 1)
                    + " of "
                    + globalMax
                    + "; admitted");
          }
          continue;
        }
        queuedGlobally++;
        if (isCandidate) {
          return new Decision.Queue(
              queuedGlobally,
              Decision.Scope.GLOBAL,
              "Branchyard has "
                  + held
                  + " of "
                  + globalMax
                  + " environments (the global limit); waiting, position "
                  + queuedGlobally);
        }
        continue;
      }
      String full = spec + " has " + inSpec + " of " + limits.maxEnvironments() + " environments";
      List<String> leaving = leavingBySpec.getOrDefault(spec, List.of());
      Optional<EnvironmentSummary> victim =
          evictableBySpec.getOrDefault(spec, List.of()).stream()
              .filter(e -> !e.name().equals(w.name()))
              .min(LEAST_RECENTLY_UPDATED);
      if (limits.onLimit() == OnLimit.EVICT_OLDEST
          && leaving.isEmpty()
          && !evicting.contains(spec)
          && victim.isPresent()) {
        evicting.add(spec);
        // The evicting waiter stays first in its stack's queue until the victim is gone.
        queuedBySpec.merge(spec, 1, Integer::sum);
        if (isCandidate) {
          return new Decision.Evict(
              victim.get().name(),
              full
                  + "; evicting "
                  + victim.get().name()
                  + ", the least recently updated, to make room");
        }
        continue;
      }
      int position = queuedBySpec.merge(spec, 1, Integer::sum);
      if (isCandidate) {
        String waitingFor =
            limits.onLimit() == OnLimit.EVICT_OLDEST && !leaving.isEmpty()
                ? "; waiting for " + String.join(", ", leaving) + " to be deleted, position "
                : "; waiting, position ";
        return new Decision.Queue(position, Decision.Scope.SPEC, full + waitingFor + position);
      }
    }
    throw new IllegalStateException("the candidate " + candidate.name() + " was not considered");
  }

  /**
   * What the admission decision needs to know of one environment.
   *
   * @param name the Environment's name
   * @param specName its stack
   * @param phase its phase ({@code Deleting} counts as leaving)
   * @param createdAt its creation time
   * @param lastUpdated when it was last pushed to or changed by hand; eviction picks the oldest
   * @param admitted whether it holds a slot (it was admitted before and is not gone)
   * @param queuedSince when it started waiting; empty for admitted ones, and for a new candidate
   *     (its creation time is used)
   * @param deleting whether it is being deleted (a deletion timestamp is set)
   */
  public record EnvironmentSummary(
      String name,
      String specName,
      EnvironmentPhase phase,
      Instant createdAt,
      Instant lastUpdated,
      boolean admitted,
      Optional<Instant> queuedSince,
      boolean deleting) {

    public EnvironmentSummary {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(specName, "specName");
      Objects.requireNonNull(createdAt, "createdAt");
      Objects.requireNonNull(lastUpdated, "lastUpdated");
      Objects.requireNonNull(queuedSince, "queuedSince");
    }

    /** An environment holding a slot. */
    public static EnvironmentSummary admitted(
        String name, String specName, EnvironmentPhase phase, Instant createdAt, Instant updated) {
      return new EnvironmentSummary(
          name, specName, phase, createdAt, updated, true, Optional.empty(), false);
    }

    /** An environment waiting for a slot since {@code queuedSince}. */
    public static EnvironmentSummary waiting(
        String name, String specName, Instant createdAt, Instant queuedSince) {
      return new EnvironmentSummary(
          name,
          specName,
          EnvironmentPhase.Queued,
          createdAt,
          createdAt,
          false,
          Optional.of(queuedSince),
          false);
    }

    /** This summary, being deleted. */
    public EnvironmentSummary markedDeleting() {
      return new EnvironmentSummary(
          name,
          specName,
          EnvironmentPhase.Deleting,
          createdAt,
          lastUpdated,
          admitted,
          queuedSince,
          true);
    }

    Instant waitingSince() {
      return queuedSince.orElse(createdAt);
    }

    boolean leaving() {
      return deleting || phase == EnvironmentPhase.Deleting;
    }
  }

  /** What a candidate gets; {@link #reason()} goes to the status and the timeline. */
  public sealed interface Decision {

    String reason();

    /** Start it. */
    record Admit(String reason) implements Decision {}

    /**
     * Let it wait ({@code Queued}, with {@code position} as {@code status.queuePosition}).
     *
     * @param position 1-based, among the waiters for the same limit
     * @param scope which limit it waits for
     * @param reason e.g. "shop has 15 of 15 environments; waiting, position 2"
     */
    record Queue(int position, Scope scope, String reason) implements Decision {}

    /**
     * Delete {@code victim} to make room; the candidate stays queued until the victim is gone.
     *
     * @param victim the name of the environment to delete
     * @param reason for the candidate's timeline (and the victim's, as the cause)
     */
    record Evict(String victim, String reason) implements Decision {}

    /** The limit a queued environment waits for. */
    enum Scope {
      /** Its stack's {@code limits.maxEnvironments}. */
      SPEC,
      /** Branchyard's {@code branchyard.lifecycle.limits.max-environments}. */
      GLOBAL
    }
  }
}

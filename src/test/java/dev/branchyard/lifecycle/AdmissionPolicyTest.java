package dev.branchyard.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.branchyard.lifecycle.AdmissionPolicy.Decision;
import dev.branchyard.lifecycle.AdmissionPolicy.EnvironmentSummary;
import dev.branchyard.spec.Limits;
import dev.branchyard.spec.Limits.OnLimit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class AdmissionPolicyTest {

  private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");

  private static Instant t(int minutes) {
    return T0.plusSeconds(60L * minutes);
  }

  private static EnvironmentSummary ready(String name, String spec, int updatedAt) {
    return EnvironmentSummary.admitted(name, spec, EnvironmentPhase.Ready, t(0), t(updatedAt));
  }

  private static EnvironmentSummary waiting(String name, String spec, int since) {
    return EnvironmentSummary.waiting(name, spec, t(since), t(since));
  }

  private static Function<String, Limits> limits(Map<String, Limits> bySpec) {
    return spec -> bySpec.getOrDefault(spec, Limits.defaults());
  }

  private static List<EnvironmentSummary> list(EnvironmentSummary... all) {
    return List.of(all);
  }

  @Test
  void admitsWhenTheStackAndBranchyardHaveRoom() {
    Decision decision =
        AdmissionPolicy.decide(
            waiting("shop-pr-3", "shop", 5),
            list(ready("shop-pr-1", "shop", 1), ready("blog-pr-1", "blog", 1)),
            50,
            limits(Map.of("shop", new Limits(15, OnLimit.QUEUE))));

    assertThat(decision).isInstanceOf(Decision.Admit.class);
    assertThat(decision.reason())
        .isEqualTo("shop has 1 of 15 environments and Branchyard 2 of 50; admitted");
  }

  @Test
  void queuesWhenTheStackIsFullWithFifoPositionsByQueuedSinceThenName() {
    var all =
        list(
            ready("shop-1", "shop", 1),
            ready("shop-2", "shop", 1),
            waiting("shop-a", "shop", 20),
            waiting("shop-c", "shop", 10),
            waiting("shop-b", "shop", 10));
    var shop = limits(Map.of("shop", new Limits(2, OnLimit.QUEUE)));

    Decision b = AdmissionPolicy.decide(all.get(4), all, 50, shop);
    Decision c = AdmissionPolicy.decide(all.get(3), all, 50, shop);
    Decision a = AdmissionPolicy.decide(all.get(2), all, 50, shop);

    assertThat(b).isEqualTo(new Decision.Queue(1, Decision.Scope.SPEC, b.reason()));
    assertThat(c).isEqualTo(new Decision.Queue(2, Decision.Scope.SPEC, c.reason()));
    assertThat(a).isEqualTo(new Decision.Queue(3, Decision.Scope.SPEC, a.reason()));
    assertThat(c.reason()).isEqualTo("shop has 2 of 2 environments; waiting, position 2");
  }

  @Test
  void admitsOnlyTheFirstWaiterWhenOneSlotIsFree() {
    var all =
        list(
            ready("shop-1", "shop", 1),
            waiting("shop-late", "shop", 9),
            waiting("shop-early", "shop", 3));
    var shop = limits(Map.of("shop", new Limits(2, OnLimit.QUEUE)));

    assertThat(AdmissionPolicy.decide(all.get(2), all, 50, shop))
        .isInstanceOf(Decision.Admit.class);
    assertThat(AdmissionPolicy.decide(all.get(1), all, 50, shop))
        .isEqualTo(
            new Decision.Queue(
                1, Decision.Scope.SPEC, "shop has 2 of 2 environments; waiting, position 1"));
  }

  @Test
  void aFullStackDoesNotHoldUpWaitersOfOtherStacks() {
    var all =
        list(
            ready("shop-1", "shop", 1), waiting("shop-2", "shop", 1), waiting("blog-1", "blog", 5));

    Decision decision =
        AdmissionPolicy.decide(
            all.get(2), all, 50, limits(Map.of("shop", new Limits(1, OnLimit.QUEUE))));

    assertThat(decision).isInstanceOf(Decision.Admit.class);
  }

  @Test
  void queuesForTheGlobalLimitAndNeverEvictsForIt() {
    var all =
        list(
            ready("blog-1", "blog", 1),
            ready("blog-2", "blog", 2),
            ready("shop-1", "shop", 3),
            waiting("shop-2", "shop", 10));

    Decision decision =
        AdmissionPolicy.decide(
            all.get(3), all, 3, limits(Map.of("shop", new Limits(5, OnLimit.EVICT_OLDEST))));

    assertThat(decision)
        .isEqualTo(
            new Decision.Queue(
                1,
                Decision.Scope.GLOBAL,
                "Branchyard has 3 of 3 environments (the global limit); waiting, position 1"));
  }

  @Test
  void globalPositionsCountOnlyWaitersHeldByTheGlobalLimit() {
    var all =
        list(
            ready("blog-1", "blog", 1),
            ready("shop-1", "shop", 1),
            waiting("shop-2", "shop", 1), // held by shop's own limit, not the global one
            waiting("wiki-1", "wiki", 2),
            waiting("docs-1", "docs", 3));
    var byStack = limits(Map.of("shop", new Limits(1, OnLimit.QUEUE)));

    assertThat(AdmissionPolicy.decide(all.get(4), all, 2, byStack))
        .isEqualTo(
            new Decision.Queue(
                2,
                Decision.Scope.GLOBAL,
                "Branchyard has 2 of 2 environments (the global limit); waiting, position 2"));
  }

  @Test
  void evictsTheLeastRecentlyUpdatedEnvironmentOfTheSameStack() {
    var all =
        list(
            ready("blog-1", "blog", 0), // older, but another stack
            ready("shop-fresh", "shop", 50),
            ready("shop-stale", "shop", 30),
            waiting("shop-new", "shop", 60));

    Decision decision =
        AdmissionPolicy.decide(
            all.get(3), all, 50, limits(Map.of("shop", new Limits(2, OnLimit.EVICT_OLDEST))));

    assertThat(decision)
        .isEqualTo(
            new Decision.Evict(
                "shop-stale",
                "shop has 2 of 2 environments; evicting shop-stale, the least recently updated,"
                    + " to make room"));
  }

  @Test
  void evictsForOneWaiterAtATimeAndQueuesTheNextBehindIt() {
    var all =
        list(
            ready("shop-1", "shop", 1),
            ready("shop-2", "shop", 2),
            waiting("shop-first", "shop", 10),
            waiting("shop-second", "shop", 11));
    var shop = limits(Map.of("shop", new Limits(2, OnLimit.EVICT_OLDEST)));

    assertThat(AdmissionPolicy.decide(all.get(2), all, 50, shop))
        .isInstanceOf(Decision.Evict.class);
    assertThat(AdmissionPolicy.decide(all.get(3), all, 50, shop))
        .isEqualTo(
            new Decision.Queue(
                2, Decision.Scope.SPEC, "shop has 2 of 2 environments; waiting, position 2"));
  }

  @Test
  void waitsForAnEnvironmentBeingDeletedInsteadOfEvictingAnother() {
    var all =
        list(
            ready("shop-1", "shop", 1).markedDeleting(),
            ready("shop-2", "shop", 2),
            waiting("shop-new", "shop", 10));

    Decision decision =
        AdmissionPolicy.decide(
            all.get(2), all, 50, limits(Map.of("shop", new Limits(2, OnLimit.EVICT_OLDEST))));

    assertThat(decision)
        .isEqualTo(
            new Decision.Queue(
                1,
                Decision.Scope.SPEC,
                "shop has 2 of 2 environments; waiting for shop-1 to be deleted, position 1"));
  }

  @Test
  void anEnvironmentBeingDeletedStillHoldsItsSlot() {
    var all = list(ready("shop-1", "shop", 1).markedDeleting(), waiting("shop-new", "shop", 10));

    Decision decision =
        AdmissionPolicy.decide(
            all.get(1), all, 50, limits(Map.of("shop", new Limits(1, OnLimit.QUEUE))));

    assertThat(decision).isInstanceOf(Decision.Queue.class);
  }

  @Test
  void aWaiterBeingDeletedNoLongerTakesAPlaceInTheQueue() {
    var all =
        list(
            ready("shop-1", "shop", 1),
            waiting("shop-gone", "shop", 1).markedDeleting(),
            waiting("shop-new", "shop", 10));

    Decision decision =
        AdmissionPolicy.decide(
            all.get(2), all, 50, limits(Map.of("shop", new Limits(1, OnLimit.QUEUE))));

    assertThat(decision).isEqualTo(new Decision.Queue(1, Decision.Scope.SPEC, decision.reason()));
  }

  @Test
  void queuesWhenEveryEnvironmentOfAnEvictingStackIsAlreadyLeaving() {
    var all = list(ready("shop-1", "shop", 1).markedDeleting(), waiting("shop-new", "shop", 10));

    Decision decision =
        AdmissionPolicy.decide(
            all.get(1), all, 50, limits(Map.of("shop", new Limits(1, OnLimit.EVICT_OLDEST))));

    assertThat(decision).isInstanceOf(Decision.Queue.class);
    assertThat(decision.reason()).contains("waiting for shop-1 to be deleted");
  }

  @Test
  void anAdmittedEnvironmentStaysAdmittedEvenOverTheLimits() {
    var all = list(ready("shop-1", "shop", 1), ready("shop-2", "shop", 2));

    Decision decision =
        AdmissionPolicy.decide(
            all.get(1), all, 1, limits(Map.of("shop", new Limits(1, OnLimit.EVICT_OLDEST))));

    assertThat(decision).isEqualTo(new Decision.Admit("already admitted"));
  }

  @Test
  void usesTheCandidatesOwnSummaryOverAStaleOneInTheList() {
    var stale = ready("shop-new", "shop", 1);
    var all = list(ready("shop-1", "shop", 1), stale);

    Decision decision =
        AdmissionPolicy.decide(
            waiting("shop-new", "shop", 5),
            all,
            50,
            limits(Map.of("shop", new Limits(1, OnLimit.QUEUE))));

    assertThat(decision).isInstanceOf(Decision.Queue.class);
  }

  @Test
  void decidesTheSameWhateverTheOrderOfTheEnvironments() {
    List<EnvironmentSummary> all = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      all.add(ready("shop-" + i, "shop", 10 - i));
      all.add(ready("blog-" + i, "blog", i));
    }
    for (int i = 0; i < 5; i++) {
      all.add(waiting("shop-w" + i, "shop", 20 + (i % 2)));
      all.add(waiting("blog-w" + i, "blog", 20 + (i % 3)));
    }
    var byStack =
        limits(
            Map.of(
                "shop", new Limits(6, OnLimit.EVICT_OLDEST), "blog", new Limits(8, OnLimit.QUEUE)));
    List<Decision> expected =
        all.stream().map(c -> AdmissionPolicy.decide(c, all, 15, byStack)).toList();
    Random random = new Random(42);

    for (int round = 0; round < 20; round++) {
      List<EnvironmentSummary> shuffled = new ArrayList<>(all);
      Collections.shuffle(shuffled, random);
      assertThat(all.stream().map(c -> AdmissionPolicy.decide(c, shuffled, 15, byStack)).toList())
          .isEqualTo(expected);
    }
    // Not trivially the same everywhere: the mix holds each kind of decision.
    assertThat(expected).hasAtLeastOneElementOfType(Decision.Evict.class);
    assertThat(expected).hasAtLeastOneElementOfType(Decision.Queue.class);
    assertThat(expected).hasAtLeastOneElementOfType(Decision.Admit.class);
  }
}

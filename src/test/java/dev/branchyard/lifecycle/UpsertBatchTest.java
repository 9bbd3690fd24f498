package dev.branchyard.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.branchyard.lifecycle.EnvironmentRequests.Upsert;
import dev.branchyard.lifecycle.EnvironmentRequests.Upserted.Outcome;
import dev.branchyard.lifecycle.UpsertBatch.Plan;
import dev.branchyard.lifecycle.UpsertBatch.Recorded;
import dev.branchyard.lifecycle.UpsertBatch.Write;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a batch of upserts for one environment does: latest wins, stale and unchanged ones. */
class UpsertBatchTest {

  private static final Instant T0 = Instant.parse("2026-11-20T14:00:00Z");

  @Test
  void createsAnAbsentEnvironmentFromTheEarliestRequestAndMovesItToTheLatest() {
    Upsert second = upsert(sha(2), at(2), Optional.empty());
    Upsert first = upsert(sha(1), at(1), Optional.empty());
    Upsert third = upsert(sha(3), at(3), Optional.empty());

    Plan plan = UpsertBatch.plan(Optional.empty(), List.of(second, first, third));

    assertThat(plan.outcomes()).containsExactly(Outcome.UPDATED, Outcome.CREATED, Outcome.UPDATED);
    Write write = plan.write().orElseThrow();
    assertThat(write.create()).isTrue();
    assertThat(write.last()).isEqualTo(third);
    assertThat(write.spec()).isEqualTo(new EnvironmentSpec("shop", trigger(sha(3)), null));
  }

  @Test
  void aSingleRequestCreatesAnAbsentEnvironment() {
    Upsert only = upsert(sha(1), at(1), Optional.of("8h"));

    Plan plan = UpsertBatch.plan(Optional.empty(), List.of(only));

    assertThat(plan.outcomes()).containsExactly(Outcome.CREATED);
    assertThat(plan.write())
        .contains(new Write(true, new EnvironmentSpec("shop", trigger(sha(1)), "8h"), only));
  }

  @Test
  void aRequestOlderThanTheRecordedOneIsStaleAndWritesNothing() {
    Recorded recorded = recorded(sha(5), Optional.of(at(5)), null);

    Plan plan =
        UpsertBatch.plan(Optional.of(recorded), List.of(upsert(sha(4), at(4), Optional.empty())));

    assertThat(plan.outcomes()).containsExactly(Outcome.STALE);
    assertThat(plan.write()).isEmpty();
  }

  @Test
  void theSameSpecAtTheSameInstantIsUnchangedAndWritesNothing() {
    Recorded recorded = recorded(sha(5), Optional.of(at(5)), null);

    Plan plan =
        UpsertBatch.plan(Optional.of(recorded), List.of(upsert(sha(5), at(5), Optional.empty())));

    assertThat(plan.outcomes()).containsExactly(Outcome.UNCHANGED);
    assertThat(plan.write()).isEmpty();
  }

  @Test
  void theSameSpecRequestedLaterIsUnchangedButMovesTheRequestedAt() {
    Recorded recorded = recorded(sha(5), Optional.of(at(5)), null);
    Upsert later = upsert(sha(5), at(6), Optional.empty());

    Plan plan = UpsertBatch.plan(Optional.of(recorded), List.of(later));

    assertThat(plan.outcomes()).containsExactly(Outcome.UNCHANGED);
    Write write = plan.write().orElseThrow();
    assertThat(write.create()).isFalse();
    assertThat(write.spec()).isEqualTo(recorded.spec());
    assertThat(write.last()).isEqualTo(later);
  }

  @Test
  void aNewHeadAtTheRecordedInstantIsAnUpdate() {
    Recorded recorded = recorded(sha(5), Optional.of(at(5)), null);
    Upsert sameInstant = upsert(sha(6), at(5), Optional.empty());

    Plan plan = UpsertBatch.plan(Optional.of(recorded), List.of(sameInstant));

    assertThat(plan.outcomes()).containsExactly(Outcome.UPDATED);
    assertThat(plan.write().orElseThrow().spec().trigger().headSha()).isEqualTo(sha(6));
  }

  @Test
  void theSameSpecIsWrittenWhenTheRecordedRequestedAtIsUnreadable() {
    Recorded recorded = recorded(sha(5), Optional.empty(), null);
    Upsert again = upsert(sha(5), at(1), Optional.empty());

    Plan plan = UpsertBatch.plan(Optional.of(recorded), List.of(again));

    assertThat(plan.outcomes()).containsExactly(Outcome.UNCHANGED);
    assertThat(plan.write().orElseThrow().last()).isEqualTo(again);
  }

  @Test
  void anOutOfOrderBatchGetsOutcomesInTheGivenOrderAndTheLatestWins() {
    Recorded recorded = recorded(sha(2), Optional.of(at(2)), null);
    Upsert latest = upsert(sha(4), at(4), Optional.empty());
    Upsert older = upsert(sha(1), at(1), Optional.empty());
    Upsert between = upsert(sha(3), at(3), Optional.empty());
    Upsert repeatOfBetween = upsert(sha(3), at(3), Optional.empty());

    Plan plan =
        UpsertBatch.plan(Optional.of(recorded), List.of(latest, older, between, repeatOfBetween));

    assertThat(plan.outcomes())
        .containsExactly(Outcome.UPDATED, Outcome.STALE, Outcome.UPDATED, Outcome.UNCHANGED);
    Write write = plan.write().orElseThrow();
    assertThat(write.create()).isFalse();
    assertThat(write.last()).isEqualTo(latest);
    assertThat(write.spec().trigger().headSha()).isEqualTo(sha(4));
  }

  @Test
  void requestsAtTheSameInstantApplyInTheOrderGiven() {
    Upsert first = upsert(sha(1), at(1), Optional.empty());
    Upsert second = upsert(sha(2), at(1), Optional.empty());

    Plan plan = UpsertBatch.plan(Optional.empty(), List.of(first, second));

    assertThat(plan.outcomes()).containsExactly(Outcome.CREATED, Outcome.UPDATED);
    assertThat(plan.write().orElseThrow().last()).isEqualTo(second);
  }

  @Test
  void anEntirelyStaleBatchWritesNothing() {
    Recorded recorded = recorded(sha(9), Optional.of(at(9)), null);

    Plan plan =
        UpsertBatch.plan(
            Optional.of(recorded),
            List.of(
                upsert(sha(3), at(3), Optional.empty()), upsert(sha(2), at(2), Optional.empty())));

    assertThat(plan.outcomes()).containsExactly(Outcome.STALE, Outcome.STALE);
    assertThat(plan.write()).isEmpty();
  }

  @Test
  void keepsTheRecordedTtlWhenTheRequestHasNone() {
    Recorded recorded = recorded(sha(1), Optional.of(at(1)), "8h");

    Plan plan =
        UpsertBatch.plan(Optional.of(recorded), List.of(upsert(sha(2), at(2), Optional.empty())));

    assertThat(plan.write().orElseThrow().spec())
        .isEqualTo(new EnvironmentSpec("shop", trigger(sha(2)), "8h"));
  }

  @Test
  void aRequestedTtlReplacesTheRecordedOne() {
    Recorded recorded = recorded(sha(1), Optional.of(at(1)), "8h");

    Plan plan =
        UpsertBatch.plan(Optional.of(recorded), List.of(upsert(sha(1), at(2), Optional.of("2h"))));

    assertThat(plan.outcomes()).containsExactly(Outcome.UPDATED);
    assertThat(plan.write().orElseThrow().spec().ttl()).isEqualTo("2h");
  }

  @Test
  void anInvalidRequestedTtlIsRefused() {
    assertThatThrownBy(
            () ->
                UpsertBatch.plan(
                    Optional.empty(), List.of(upsert(sha(1), at(1), Optional.of("soon")))))
        .isInstanceOf(InvalidTtlException.class)
        .hasMessageContaining("soon");
  }

  @Test
  void aZeroRequestedTtlIsRefused() {
    Recorded recorded = recorded(sha(1), Optional.of(at(1)), "8h");

    assertThatThrownBy(
            () ->
                UpsertBatch.plan(
                    Optional.of(recorded), List.of(upsert(sha(2), at(2), Optional.of("0h")))))
        .isInstanceOf(InvalidTtlException.class);
  }

  private static Recorded recorded(String sha, Optional<Instant> requestedAt, String ttl) {
    return new Recorded(new EnvironmentSpec("shop", trigger(sha), ttl), requestedAt);
  }

  private static Upsert upsert(String sha, Instant requestedAt, Optional<String> ttl) {
    return new Upsert("shop", trigger(sha), ttl, requestedAt);
  }

  private static Trigger trigger(String sha) {
    return new Trigger(
        TriggerSource.PullRequest, "acme/shop-web", 7, "feature", "main", sha, "octocat", false);
  }

  private static Instant at(int minutes) {
    return T0.plusSeconds(60L * minutes);
  }

  private static String sha(int n) {
    return String.format("%040x", n);
  }
}

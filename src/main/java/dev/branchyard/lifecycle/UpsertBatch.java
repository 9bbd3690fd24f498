package dev.branchyard.lifecycle;

import dev.branchyard.Pure;
import dev.branchyard.lifecycle.EnvironmentRequests.Upsert;
import dev.branchyard.lifecycle.EnvironmentRequests.Upserted.Outcome;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * What a batch of upserts for one environment does to it, as if they were applied one after another
 * in the order GitHub (or the caller) says they happened: the latest {@code requestedAt} wins, an
 * older one than the recorded is stale, and one that changes nothing is unchanged. The batch
 * becomes (at most) one write; each request still gets the outcome it would have had alone.
 */
@Pure
final class UpsertBatch {

  private UpsertBatch() {}

  /**
   * What the environment records now.
   *
   * @param spec its spec
   * @param requestedAt its {@value EnvironmentRequests#REQUESTED_AT_ANNOTATION}, when readable
   */
  record Recorded(EnvironmentSpec spec, Optional<Instant> requestedAt) {
    Recorded {
      Objects.requireNonNull(requestedAt, "requestedAt");
    }
  }

  /**
   * What to write after the batch.
   *
   * @param create true when the environment does not exist yet
   * @param spec the spec to write
   * @param last the request whose labels and annotations are written (the latest that applied)
   */
  record Write(boolean create, EnvironmentSpec spec, Upsert last) {}

  /**
   * The batch's effect.
   *
   * @param write what to write, or empty when every request was stale or unchanged
   * @param outcomes each request's outcome, in the order the requests were given
   */
  record Plan(Optional<Write> write, List<Outcome> outcomes) {}

  /**
   * Plans a batch.
   *
   * @param current what the environment records, or empty when it does not exist
   * @param requests the upserts, all for this environment, in any order
   */
  static Plan plan(Optional<Recorded> current, List<Upsert> requests) {
    Outcome[] outcomes = new Outcome[requests.size()];
    // Stable: requests at the same instant apply in the order they came.
    int[] order =
        IntStream.range(0, requests.size())
            .boxed()
            .sorted(Comparator.comparing(i -> requests.get(i).requestedAt()))
            .mapToInt(Integer::intValue)
            .toArray();
    Optional<Recorded> state = current;
    Upsert last = null;
    for (int i : order) {
      Upsert request = requests.get(i);
      if (state.isEmpty()) {
        state = Optional.of(new Recorded(specOf(request, Optional.empty()), at(request)));
        outcomes[i] = Outcome.CREATED;
        last = request;
        continue;
      }
      Recorded recorded = state.get();
      Optional<Instant> at = recorded.requestedAt();
      if (at.isPresent() && request.requestedAt().isBefore(at.get())) {
        outcomes[i] = Outcome.STALE;
        continue;
      }
      EnvironmentSpec wanted = specOf(request, Optional.ofNullable(recorded.spec()));
      if (wanted.equals(recorded.spec())
          && at.isPresent()
          && !request.requestedAt().isAfter(at.get())) {
        outcomes[i] = Outcome.UNCHANGED;
        continue;
      }
      outcomes[i] = wanted.equals(recorded.spec()) ? Outcome.UNCHANGED : Outcome.UPDATED;
      state = Optional.of(new Recorded(wanted, at(request)));
      last = request;
    }
    Optional<Write> write =
        last == null
            ? Optional.empty()
            : Optional.of(new Write(current.isEmpty(), state.orElseThrow().spec(), last));
    return new Plan(write, List.copyOf(Arrays.asList(outcomes)));
  }

  /**
   * The spec an upsert asks for: its stack and trigger, its TTL or else the one already recorded.
   *
   * @throws InvalidTtlException when the requested TTL is not a duration
   */
  static EnvironmentSpec specOf(Upsert request, Optional<EnvironmentSpec> existing) {
    String ttl = request.ttl().orElse(existing.map(EnvironmentSpec::ttl).orElse(null));
    if (ttl != null) {
      TtlPolicy.parse(ttl);
    }
    return new EnvironmentSpec(request.specName(), request.trigger(), ttl);
  }

  private static Optional<Instant> at(Upsert request) {
    return Optional.of(request.requestedAt());
  }
}

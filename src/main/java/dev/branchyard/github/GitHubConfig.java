package dev.branchyard.github;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Settings of the GitHub webhook intake, prefix {@code branchyard.github}. */
@ConfigMapping(prefix = "branchyard.github")
public interface GitHubConfig {

  /**
   * The secret set on the GitHub App's (or repository's) webhook; every delivery's {@code
   * X-Hub-Signature-256} is checked against it. Unset: webhooks are refused, never taken in
   * unchecked.
   */
  Optional<String> webhookSecret();

  /**
   * The secret {@link #webhookSecret()} replaces, still accepted while a rotation is under way: set
   * the new secret here first, then on GitHub, then remove this key.
   */
  Optional<String> webhookPreviousSecret();

  /**
   * The largest webhook body taken in (e.g. {@code 25M}); larger ones are refused before they are
   * read to the end. GitHub caps payloads at 25 MB.
   */
  @WithDefault("25M")
  @WithConverter(MemorySizeConverter.class)
  MemorySize maxBodySize();

  /** How delivery ids are remembered to drop repeated deliveries. */
  Deliveries deliveries();

  /** How accepted changes are written down and recorded on Environments. */
  Intake intake();

  /** Settings of the {@link IntakeRecorder} and its {@link IntakeJournal}. */
  interface Intake {

    /**
     * The directory of the intake journal: each accepted change is forced to a file here before
     * GitHub gets its answer, and recorded again after a crash. In a pod, a volume that outlives
     * the container (an {@code emptyDir} at least).
     */
    @WithDefault("${java.io.tmpdir}/branchyard-intake")
    Path journalDir();

    /**
     * How long a delivery's answer waits for its change to be recorded on the Environment: recorded
     * by then, the answer says what happened ({@code created}, {@code updated}, ...); else it says
     * {@code accepted} and the change is recorded in the background (it is in the journal). An
     * answer does not wait when other accepted changes are still waiting to be recorded.
     */
    @WithDefault("10ms")
    Duration ackWait();

    /**
     * How many accepted changes may wait to be recorded; beyond that deliveries are answered 503
     * (GitHub shows them failed, to redeliver) instead of piling up while the API server is away.
     */
    @WithDefault("10000")
    int maxBacklog();

    /**
     * The shortest time between two writes of one Environment by the intake: changes of it that
     * arrive sooner are gathered into the next write (the latest wins). The first change of an
     * environment is written at once; this only thins out bursts.
     */
    @WithDefault("1s")
    Duration minWriteInterval();

    /**
     * The most Environment writes the intake makes per second, all environments together (after a
     * quiet second, this many may go at once). When more environments have changes waiting, each
     * waits its turn and gathers more changes meanwhile, so a burst of deliveries across many pull
     * requests (a base branch moved under all of them) does not become a burst of API server
     * writes. At least 1.
     */
    @WithDefault("20")
    int maxWritesPerSecond();

    /** How long a change that keeps failing to be recorded is retried before it is given up. */
    @WithDefault("1h")
    Duration giveUpAfter();
  }

  /** Settings of the {@link DeliveryLedger}. */
  interface Deliveries {

    /**
     * How many delivery ids are remembered at most; the least recently seen are forgotten first.
     */
    @WithDefault("10000")
    int remember();

    /**
     * How long a delivery id is remembered after it was last seen. GitHub redelivers on request for
     * up to three days; a repeat after this long is processed again (harmlessly: intents are
     * idempotent).
     */
    @WithName("for")
    @WithDefault("24h")
    Duration rememberFor();
  }
}
